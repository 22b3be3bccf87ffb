package testbed

import (
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"sync"

	"k8s.io/client-go/tools/clientcmd"
)

// Proxy relays TCP on a random loopback port to the bed's API server, with a
// kubeconfig that goes through it: to a client, closing it is the API server gone,
// while the bed and its controllers go on.
type Proxy struct {
	Kubeconfig string

	ln     net.Listener
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
	wg     sync.WaitGroup
}

// Proxy starts a relay to the API server of the bed's admin kubeconfig.
func (b *Bed) Proxy() (*Proxy, error) {
	cfg, err := clientcmd.LoadFromFile(b.Kubeconfig)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	var target string
	for _, c := range cfg.Clusters {
		u, err := url.Parse(c.Server)
		if err != nil {
			ln.Close()
			return nil, err
		}
		target = u.Host
		u.Host = ln.Addr().String()
		c.Server = u.String()
	}
	dir, err := os.MkdirTemp(b.Dir, "proxy-")
	if err != nil {
		ln.Close()
		return nil, err
	}
	p := &Proxy{Kubeconfig: filepath.Join(dir, "kubeconfig"), ln: ln}
	if err := clientcmd.WriteToFile(*cfg, p.Kubeconfig); err != nil {
		ln.Close()
		return nil, err
	}
	if target == "" {
		ln.Close()
		return nil, fmt.Errorf("testbed: %s names no server", b.Kubeconfig)
	}
	p.wg.Add(1)
	go p.serve(target)
	return p, nil
}

func (p *Proxy) serve(target string) {
	defer p.wg.Done()
	for {
		in, err := p.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", target)
		if err != nil {
			in.Close()
			continue
		}
		if !p.track(in, out) {
			return
		}
		p.wg.Add(2)
		go p.pipe(in, out)
		go p.pipe(out, in)
	}
}

// track remembers a relayed pair so Close can cut it; false when already closed.
func (p *Proxy) track(conns ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		for _, c := range conns {
			c.Close()
		}
		return false
	}
	p.conns = append(p.conns, conns...)
	return true
}

func (p *Proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// Close stops accepting and cuts every open connection; it returns when every relay
// goroutine has ended.
func (p *Proxy) Close() {
	p.mu.Lock()
	p.closed = true
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.ln.Close()
	p.wg.Wait()
}
