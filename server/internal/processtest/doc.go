// Package processtest holds black-box tests that build the real server
// binary (./server/cmd/sidenote) and run it as separate processes against
// PostgreSQL: a soak test that restarts a private PostgreSQL cluster under
// load, and two replicas sharing one database. They talk to the server only
// over HTTP, as the sidebar and the extension do.
package processtest
