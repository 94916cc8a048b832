// Checks that a fetched source is read on a worker thread with the same result as on the main one, and that a read past its time limit is stopped.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { readSourceOffThread } from '../../../src/features/webmention/read-source.ts'
import { readSource } from '../../../src/features/webmention/read-worker.ts'

const TARGET = 'https://blog.example.com/posts/hello'
const job = {
  html: `<html><body><div class="h-entry"><a class="p-author h-card" href="https://alice.example/">Alice</a>
    <a class="u-in-reply-to" href="${TARGET}">re</a><div class="e-content"><p>Nice post, see <a href="https://alice.example/notes">my notes</a>.</p></div></div></body></html>`,
  plain: false,
  source: 'https://alice.example/replies/1',
  pageUrl: 'https://alice.example/replies/1',
  target: TARGET,
}

test('a source read on a worker thread gives what reading it here gives', async () => {
  const offThread = await readSourceOffThread(job)
  assert.deepEqual(offThread, readSource(job))
  assert.equal(offThread.links, true)
  assert.equal(offThread.links && offThread.mention.kind, 'reply')
  assert.equal(offThread.links && offThread.mention.authorName, 'Alice')
  assert.deepEqual(offThread.links && offThread.contentLinks, ['https://alice.example/notes'])

  const unlinked = await readSourceOffThread({ ...job, html: '<p>No link here.</p>' })
  assert.deepEqual(unlinked, { links: false })
})

test('a read that outlives its time limit is stopped and reported, not waited for', async () => {
  const huge = { ...job, html: `<div class="h-entry">${'<p>word</p>'.repeat(200_000)}</div>` }
  await assert.rejects(readSourceOffThread(huge, 1), /reading the source took longer than/)
})
