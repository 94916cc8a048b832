// Owns how much memory the server's JavaScript heap may hold beyond what it uses: tuned for a 256 MB machine.
import { setFlagsFromString } from 'node:v8'

// Both flags are consulted when V8 decides whether to grow the heap, so setting them here, at run
// time, can take effect (unlike --max-semi-space-size or --max-old-space-size, fixed when the heap
// is made, which every way of starting Folio would have to pass on the command line).
//
// --optimize-for-size makes the old generation collect before it grows rather than after: under 20
// connections of uncached pages the peak RSS fell from ~217 MB to ~145 MB in our runs, with the
// same throughput. V8 doubles the young generation each time it fills under load, up to 3 × 16 MB;
// a growth factor of 1 asks it not to. That one does not reliably hold (the young generation was
// still seen at 32 MB under load): docs/decisions/0014-start-up-and-memory.md has the figures.
setFlagsFromString('--semi-space-growth-factor=1')
setFlagsFromString('--optimize-for-size')
