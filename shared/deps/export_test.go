package deps

// Components exposes Tarjan's pass to the external benchmarks, which time it alone as
// the control for Analyze's own growth.
var Components = components
