package deps

// components labels every entry with its strongly connected component using
// Tarjan's algorithm, and reports which components are cycles: more than one
// member, or a single member that depends on itself.
//
// The depth-first search keeps its own stack of frames instead of recursing,
// so a dependsOn chain 100k long costs heap, not goroutine stack.
func components(entries []Entry) (comp []int32, cyclic []bool) {
	comp, sizes := scc(len(entries), func(v int) []int { return entries[v].Dependencies })
	cyclic = make([]bool, len(sizes))
	for c, size := range sizes {
		cyclic[c] = size > 1
	}
	for v := range entries {
		if cyclic[comp[v]] {
			continue
		}
		for _, w := range entries[v].Dependencies {
			if w == v {
				cyclic[comp[v]] = true
			}
		}
	}
	return comp, cyclic
}

// scc labels each of n vertices with its strongly connected component (edges gives
// a vertex's successors) and returns the size of every component.
func scc(n int, edges func(v int) []int) (comp []int32, sizes []int32) {
	comp = make([]int32, n)
	index := make([]int32, n) // discovery number + 1; 0 means unvisited
	low := make([]int32, n)
	onStack := make([]bool, n)
	stack := make([]int32, 0, 64)

	type frame struct {
		v    int32
		next int32 // next position in entries[v].Dependencies to explore
	}
	var frames []frame
	var counter int32
	var ncomp int32

	visit := func(v int32) {
		counter++
		index[v] = counter
		low[v] = counter
		stack = append(stack, v)
		onStack[v] = true
		frames = append(frames, frame{v: v})
	}

	for s := range n {
		if index[s] != 0 {
			continue
		}
		visit(int32(s))
		for len(frames) > 0 {
			top := &frames[len(frames)-1]
			v := top.v
			deps := edges(int(v))
			if int(top.next) < len(deps) {
				w := int32(deps[top.next])
				top.next++
				if index[w] == 0 {
					visit(w) // may move frames; top is not used again
				} else if onStack[w] && index[w] < low[v] {
					low[v] = index[w]
				}
				continue
			}

			// All of v's edges are explored.
			frames = frames[:len(frames)-1]
			if low[v] == index[v] {
				var size int32
				for {
					w := stack[len(stack)-1]
					stack = stack[:len(stack)-1]
					onStack[w] = false
					comp[w] = ncomp
					size++
					if w == v {
						break
					}
				}
				sizes = append(sizes, size)
				ncomp++
			}
			if len(frames) > 0 {
				p := frames[len(frames)-1].v
				if low[v] < low[p] {
					low[p] = low[v]
				}
			}
		}
	}

	return comp, sizes
}
