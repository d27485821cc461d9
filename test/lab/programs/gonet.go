// gonet: an IPv4-only Go program for test/lab/seccomp.test.ts (standard library only). Go makes its system calls
// itself, so LD_PRELOAD cannot reach it, with or without cgo. Each mode prints one JSON line of what it observed.
//
//	gonet http NETWORK HOST:PORT      net.Dial, HTTP/1.0 GET /, the body; RemoteAddr, LocalAddr
//	gonet udp NETWORK HOST:PORT TEXT  net.Dial (a connected socket), Write, Read: the reply; RemoteAddr, LocalAddr
//	gonet udpfrom NETWORK HOST:PORT TEXT
//	                                  ListenPacket(NETWORK, ":0"), WriteTo, ReadFrom: the reply and its sender
//	gonet udpmsg NETWORK HOST:PORT TEXT
//	                                  ListenUDP(NETWORK, ":0"), WriteMsgUDP, ReadMsgUDP (sendmsg, recvmsg): the
//	                                  reply and its sender
//	gonet udpecho NETWORK             ListenUDP(NETWORK, ":0"), print "ready PORT", then answer each datagram with
//	                                  "to PEER DATA" (WriteMsgUDP) and "again" (WriteToUDP), PEER as ReadMsgUDP
//	                                  gave it; runs until stopped
//	gonet server NETWORK ADDR COUNT   Listen, print {"listening":ADDR}, then COUNT times Accept: the RemoteAddr Go
//	                                  reports, answered as an HTTP/1.0 response whose body is that address
//	gonet many HOST:PORT G N          G goroutines each making N connections (tcp4), one byte echoed on each
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func out(v map[string]any) {
	b, _ := json.Marshal(v)
	fmt.Println(string(b))
}

func die(what string, err error) {
	out(map[string]any{"error": what, "text": err.Error()})
	os.Exit(1)
}

func ipOf(a net.Addr) (string, bool) {
	host, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String(), false
	}
	ip := net.ParseIP(host)
	return host, ip != nil && ip.To4() != nil
}

func addrs(c net.Conn) map[string]any {
	remote, remote4 := ipOf(c.RemoteAddr())
	local, local4 := ipOf(c.LocalAddr())
	return map[string]any{"remote": c.RemoteAddr().String(), "remoteIP": remote, "remoteIs4": remote4, "local": local, "localIs4": local4}
}

func httpGet(network, addr string) {
	c, err := net.DialTimeout(network, addr, 5*time.Second)
	if err != nil {
		die("dial", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	host, _, _ := net.SplitHostPort(addr)
	if _, err := fmt.Fprintf(c, "GET / HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n", host); err != nil {
		die("write", err)
	}
	all, err := io.ReadAll(c)
	if err != nil {
		die("read", err)
	}
	text := string(all)
	body := ""
	if i := strings.Index(text, "\r\n\r\n"); i >= 0 {
		body = text[i+4:]
	}
	o := addrs(c)
	o["status"] = strings.SplitN(text, "\r\n", 2)[0]
	o["body"] = body
	out(o)
}

func udp(network, addr, text string) {
	c, err := net.DialTimeout(network, addr, 5*time.Second)
	if err != nil {
		die("dial", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(text)); err != nil {
		die("write", err)
	}
	buf := make([]byte, 65536)
	n, err := c.Read(buf)
	if err != nil {
		die("read", err)
	}
	o := addrs(c)
	o["reply"] = string(buf[:n])
	out(o)
}

func udpFrom(network, addr, text string) {
	to, err := net.ResolveUDPAddr(network, addr)
	if err != nil {
		die("resolve", err)
	}
	c, err := net.ListenPacket(network, ":0")
	if err != nil {
		die("listen", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.WriteTo([]byte(text), to); err != nil {
		die("writeto", err)
	}
	buf := make([]byte, 65536)
	n, from, err := c.ReadFrom(buf)
	if err != nil {
		die("readfrom", err)
	}
	ip, is4 := ipOf(from)
	out(map[string]any{"reply": string(buf[:n]), "from": from.String(), "fromIP": ip, "fromIs4": is4})
}

func udpMsg(network, addr, text string) {
	to, err := net.ResolveUDPAddr(network, addr)
	if err != nil {
		die("resolve", err)
	}
	c, err := net.ListenUDP(network, nil)
	if err != nil {
		die("listen", err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, _, err := c.WriteMsgUDP([]byte(text), nil, to); err != nil {
		die("writemsg", err)
	}
	buf, oob := make([]byte, 65536), make([]byte, 512)
	n, _, _, from, err := c.ReadMsgUDP(buf, oob)
	if err != nil {
		die("readmsg", err)
	}
	ip, is4 := ipOf(from)
	out(map[string]any{"reply": string(buf[:n]), "from": from.String(), "fromIP": ip, "fromIs4": is4})
}

func udpEcho(network string) {
	c, err := net.ListenUDP(network, nil)
	if err != nil {
		die("listen", err)
	}
	fmt.Printf("ready %d\n", c.LocalAddr().(*net.UDPAddr).Port)
	buf, oob := make([]byte, 2048), make([]byte, 512)
	for {
		n, _, _, from, err := c.ReadMsgUDP(buf, oob)
		if err != nil {
			die("readmsg", err)
		}
		if _, _, err := c.WriteMsgUDP([]byte("to "+from.IP.String()+" "+string(buf[:n])), nil, from); err != nil {
			die("writemsg", err)
		}
		if _, err := c.WriteToUDP([]byte("again"), from); err != nil {
			die("writeto", err)
		}
	}
}

func server(network, addr string, count int) {
	ln, err := net.Listen(network, addr)
	if err != nil {
		die("listen", err)
	}
	out(map[string]any{"listening": ln.Addr().String()})
	for i := 0; i < count; i++ {
		c, err := ln.Accept()
		if err != nil {
			die("accept", err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil || line == "\r\n" || line == "\n" {
				break
			}
		}
		o := addrs(c)
		body := c.RemoteAddr().String() + "\n"
		fmt.Fprintf(c, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
		c.Close()
		o["accepted"] = i + 1
		out(o)
	}
}

func many(addr string, goroutines, each int) {
	var ok, failed int64
	var first atomic.Value
	var wg sync.WaitGroup
	started := time.Now()
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1)
			for i := 0; i < each; i++ {
				err := func() error {
					c, err := net.DialTimeout("tcp4", addr, 5*time.Second)
					if err != nil {
						return err
					}
					defer c.Close()
					c.SetDeadline(time.Now().Add(5 * time.Second))
					if _, err := c.Write([]byte{'x'}); err != nil {
						return err
					}
					if _, err := io.ReadFull(c, buf); err != nil {
						return err
					}
					if buf[0] != 'x' {
						return fmt.Errorf("echo gave %q", buf[0])
					}
					if ip, _ := ipOf(c.RemoteAddr()); ip != strings.Split(addr, ":")[0] {
						return fmt.Errorf("RemoteAddr %s", c.RemoteAddr())
					}
					return nil
				}()
				if err != nil {
					atomic.AddInt64(&failed, 1)
					first.CompareAndSwap(nil, err.Error())
				} else {
					atomic.AddInt64(&ok, 1)
				}
			}
		}()
	}
	wg.Wait()
	o := map[string]any{"ok": ok, "failed": failed, "ms": time.Since(started).Milliseconds()}
	if e := first.Load(); e != nil {
		o["firstError"] = e
	}
	out(o)
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		die("usage", err)
	}
	return n
}

func main() {
	a := os.Args
	switch {
	case len(a) == 4 && a[1] == "http":
		httpGet(a[2], a[3])
	case len(a) == 5 && a[1] == "udp":
		udp(a[2], a[3], a[4])
	case len(a) == 5 && a[1] == "udpfrom":
		udpFrom(a[2], a[3], a[4])
	case len(a) == 5 && a[1] == "udpmsg":
		udpMsg(a[2], a[3], a[4])
	case len(a) == 3 && a[1] == "udpecho":
		udpEcho(a[2])
	case len(a) == 5 && a[1] == "server":
		server(a[2], a[3], atoi(a[4]))
	case len(a) == 5 && a[1] == "many":
		many(a[2], atoi(a[3]), atoi(a[4]))
	default:
		fmt.Fprintln(os.Stderr, "usage: gonet http|udp|udpfrom|udpmsg|udpecho|server|many ...")
		os.Exit(2)
	}
}
