// Owns how much memory the server's JavaScript heap may hold beyond what it uses: tuned for a 256 MB machine.
import { setFlagsFromString } from 'node:v8'

// --optimize-for-size is consulted whenever V8 decides whether to grow the heap, so setting it here,
// at run time, takes effect: the old generation collects before it grows rather than after. Under
// 20 connections of uncached pages the peak RSS fell from ~217 MB to ~145 MB, same throughput.
//
// The young generation's ceiling is fixed when the heap is made, so it cannot be set here: every
// production start passes --max-semi-space-size=2 on the command line (`npm run start:prod`, the
// Dockerfile's CMD, deploy/folio.service and litefs.yml; a test keeps them alike). Without it V8
// doubles the young generation under load up to 16 MB a half. 2 MB costs no CPU we could measure;
// 1 MB saved a little more memory but cost ~30% more CPU per cached page, in extra scavenges.
// The same starts set MALLOC_ARENA_MAX=2 in the environment (glibc reads it before any JavaScript).
// docs/decisions/0014-start-up-and-memory.md has the figures.
setFlagsFromString('--optimize-for-size')
