// Checks the per-IP limit of 5 messages an hour: a friendly 429 with the message kept, and no effect on anyone else.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createTestApp } from '../../helpers/app.ts'
import {
  type ContactVisitor,
  contactVisitor,
  GOOD_MESSAGE,
  inputValueIn,
  storedMessages,
  textareaIn,
} from '../../helpers/contact.ts'
import { mainOf } from '../../helpers/html.ts'

const HOUR = 60 * 60 * 1000

let sent = 0
/** Each message says something new: identical words within ten minutes count as one double-click. */
const nextSubject = () => `Question ${++sent}`

async function sendFive(visitor: ContactVisitor, fields: Record<string, string> = {}) {
  for (let i = 1; i <= 5; i++) {
    const res = await visitor.send({ ...GOOD_MESSAGE, subject: `Message ${i}`, ...fields })
    assert.equal(res.statusCode, 303, `message ${i} is accepted`)
  }
}

test('the sixth message from one address within an hour gets a friendly 429 with Retry-After and the message kept', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db, { remoteAddress: '192.0.2.10' })
  await sendFive(visitor)

  const sixth = {
    ...GOOD_MESSAGE,
    subject: 'Message 6',
    message: 'One last question about "pricing" & <dates>.',
  }
  const res = await visitor.send(sixth)
  assert.equal(res.statusCode, 429)
  const retryAfter = Number(res.headers['retry-after'])
  assert.ok(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 3600, `Retry-After ${retryAfter}`)
  assert.equal(res.headers['cache-control'], 'no-store')
  assert.match(String(res.headers['content-type']), /^text\/html/)

  const main = mainOf(res.body)
  assert.match(
    main,
    /<p class="notice" role="alert">You have already sent 5 messages in the last hour[^<]*Your message is still here: please try again later, or copy it into an email\.<\/p>/,
  )
  assert.equal(inputValueIn(main, 'name'), GOOD_MESSAGE.name)
  assert.equal(inputValueIn(main, 'email'), GOOD_MESSAGE.email)
  assert.equal(inputValueIn(main, 'subject'), 'Message 6')
  assert.equal(textareaIn(main), 'One last question about &quot;pricing&quot; &amp; &lt;dates&gt;.')
  assert.match(main, /name="_csrf" value="[^"]+"/, 'the form can be sent again later')
  assert.equal(storedMessages(db).length, 5, 'the sixth is not stored')
})

test('another address is not affected by one address reaching the limit', async (t) => {
  const { app, db } = await createTestApp(t)
  await sendFive(contactVisitor(app, db, { remoteAddress: '192.0.2.10' }))
  assert.equal(
    (
      await contactVisitor(app, db, { remoteAddress: '192.0.2.10' }).send({
        ...GOOD_MESSAGE,
        subject: nextSubject(),
      })
    ).statusCode,
    429,
  )

  const neighbour = contactVisitor(app, db, { remoteAddress: '192.0.2.11' })
  const res = await neighbour.send({ ...GOOD_MESSAGE, name: 'Grace Hopper' })
  assert.equal(res.statusCode, 303)
  assert.equal(storedMessages(db).filter((m) => m.ip === '192.0.2.11').length, 1)
})

test('messages older than an hour no longer count towards the limit', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db, { remoteAddress: '192.0.2.10' })
  await sendFive(visitor)
  assert.equal((await visitor.send({ ...GOOD_MESSAGE, subject: nextSubject() })).statusCode, 429)

  // Four of the five were sent over an hour ago: one in the last hour, so four more are allowed.
  db.$client
    .prepare('update messages set created_at = ? where id in (select id from messages order by id limit 4)')
    .run(Date.now() - HOUR - 60_000)
  for (let i = 0; i < 4; i++)
    assert.equal((await visitor.send({ ...GOOD_MESSAGE, subject: nextSubject() })).statusCode, 303)
  assert.equal((await visitor.send({ ...GOOD_MESSAGE, subject: nextSubject() })).statusCode, 429)
})

test('suspected spam counts towards the limit, so a bot cannot fill the Spam folder', async (t) => {
  const { app, db } = await createTestApp(t)
  const bot = contactVisitor(app, db, { remoteAddress: '192.0.2.66' })
  await sendFive(bot, { website: 'https://spam.example' })
  assert.equal((await bot.send({ ...GOOD_MESSAGE, website: 'https://spam.example' })).statusCode, 429)
  assert.deepEqual(
    storedMessages(db).map((m) => m.folder),
    ['spam', 'spam', 'spam', 'spam', 'spam'],
  )
})

test('an invalid form from a limited address still gets its 422, so the limit never hides a mistake', async (t) => {
  const { app, db } = await createTestApp(t)
  const visitor = contactVisitor(app, db, { remoteAddress: '192.0.2.10' })
  await sendFive(visitor)
  const res = await visitor.send({ ...GOOD_MESSAGE, email: 'nope' })
  assert.equal(res.statusCode, 422)
})

test('without TRUST_PROXY, a made-up X-Forwarded-For does not get around the limit', async (t) => {
  const { app, db } = await createTestApp(t)
  const bot = contactVisitor(app, db, { remoteAddress: '192.0.2.66' })
  for (let i = 1; i <= 5; i++) {
    const res = await bot.send(
      { ...GOOD_MESSAGE, subject: nextSubject() },
      { headers: { 'x-forwarded-for': `10.0.0.${i}` } },
    )
    assert.equal(res.statusCode, 303)
  }
  const res = await bot.send(
    { ...GOOD_MESSAGE, subject: nextSubject() },
    { headers: { 'x-forwarded-for': '10.0.0.99' } },
  )
  assert.equal(res.statusCode, 429)
})

test('behind a trusted proxy, visitors are told apart by X-Forwarded-For', async (t) => {
  const { app, db } = await createTestApp(t, { TRUST_PROXY: 'true' })
  const proxy = contactVisitor(app, db, { remoteAddress: '127.0.0.1' })
  for (let i = 1; i <= 5; i++) {
    const res = await proxy.send(
      { ...GOOD_MESSAGE, subject: nextSubject() },
      { headers: { 'x-forwarded-for': '198.51.100.1' } },
    )
    assert.equal(res.statusCode, 303)
  }
  const same = await proxy.send(
    { ...GOOD_MESSAGE, subject: nextSubject() },
    { headers: { 'x-forwarded-for': '198.51.100.1' } },
  )
  assert.equal(same.statusCode, 429)
  const other = await proxy.send(
    { ...GOOD_MESSAGE, subject: nextSubject() },
    { headers: { 'x-forwarded-for': '198.51.100.2' } },
  )
  assert.equal(other.statusCode, 303)
  assert.deepEqual([...new Set(storedMessages(db).map((m) => m.ip))], ['198.51.100.1', '198.51.100.2'])
})
