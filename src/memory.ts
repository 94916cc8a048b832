// Owns how much memory the server's JavaScript heap may hold beyond what it uses: tuned for a 256 MB machine.
import { setFlagsFromString } from 'node:v8'

// Both flags are read each time V8 decides whether to grow the heap, so setting them here, at run
// time, takes effect (unlike --max-semi-space-size or --max-old-space-size, fixed when the heap is
// made, which would need every way of starting Folio to pass them on the command line).
//
// V8 doubles the young generation each time it fills under load, up to 3 × 16 MB, and keeps it: on
// the page-cache path that is ~30 MB of RSS holding nothing but garbage. A growth factor of 1 keeps
// it at its starting size; scavenges come more often but each is as cheap (they copy only what is
// alive). --optimize-for-size makes the old generation collect before it grows rather than after:
// under 20 connections of uncached pages the heap then peaks at ~40 MB instead of ~120 MB.
// `npm run bench` shows throughput unchanged with both (docs/decisions/0014-start-up-and-memory.md).
setFlagsFromString('--semi-space-growth-factor=1')
setFlagsFromString('--optimize-for-size')
