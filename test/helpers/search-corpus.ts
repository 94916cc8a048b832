// Owns the adversarial search corpus the search cost test and `npm run bench` share: thousands of posts and the dearest queries a visitor can type.
import type { Db } from '../../src/db/client.ts'

const DAY = 24 * 60 * 60 * 1000
/** Every 13th public post carries this word; a draft and a scheduled post carry it too and must not count. */
export const CORPUS_MARKER = 'zanzibarite'

const COMMON = 'the a of to and in is it that for on with as be this are you can not but one we at by'.split(
  ' ',
)
const SYLLABLES = 'ta te ti to tu sa se si so su ca co cu pa pe pi po ra re ri ro de di do ma me mi'.split(
  ' ',
)

/** Queries built to be as dear as possible: short prefixes, many common words, phrases, long words. */
export const HOSTILE_SEARCHES: readonly string[] = [
  'a* b* c* d* e* f* g* h* i* j* k* l* m* n* o* p*',
  'ta* te* ti* to* sa* se* si* so* ca* co* pa* pe*',
  'tat* sas* cac* pap* rar* mam* ded* tot*',
  'ta* '.repeat(40),
  'th* t* the* that* this* then* there* they* these* those* through* three*',
  'the a of to and in is it that for on with as be this',
  '"the a of to and in is it that for on with"',
  '"ta* te*" ti* "to the" a* of*',
  'ta'.repeat(100),
  't* '.repeat(60),
  'aaaaaaaaaaaaa* bbbbbbbbbbbbb*',
  '日本* 語* 中文* кириллица* ελληνικά* עברית* عربي*',
  'é* ü* ñ* ø* ß* ç*',
  `${'x* '.repeat(30)}${CORPUS_MARKER}`,
]

/** A deterministic generator, so counts are known and a failure can be replayed. */
function createRandom(seed: number): () => number {
  // mulberry32: 32-bit integer steps, so no precision is lost in floating point.
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let x = Math.imul(state ^ (state >>> 15), state | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** Made-up words from shared syllables, so two- and three-letter prefixes each match thousands of posts. */
function createVocabulary(random: () => number): string[] {
  return Array.from({ length: 3000 }, () => {
    const length = 2 + Math.floor(random() * 3)
    return Array.from({ length }, () => SYLLABLES[Math.floor(random() * SYLLABLES.length)]).join('')
  })
}

/**
 * `posts` public posts (plus one draft and one scheduled post) written with raw inserts in one
 * transaction, the search row beside each post as savePost writes it: seconds, not minutes.
 * Returns how many public posts carry CORPUS_MARKER.
 */
export function seedSearchCorpus(db: Db, posts = 10_000): { publicWithMarker: number } {
  const random = createRandom(9)
  const vocabulary = createVocabulary(random)
  const pick = (list: readonly string[]) => list[Math.floor(random() * list.length)] as string
  const insertPost = db.$client.prepare(
    `insert into posts (id, kind, title, slug, status, published_at, created_at, updated_at, body_md, body_html, excerpt_html)
     values (@id, 'article', @title, @slug, @status, @publishedAt, @now, @now, @body, @html, @html)`,
  )
  const insertFts = db.$client.prepare('insert into posts_fts (rowid, title, body, tags) values (?, ?, ?, ?)')
  const now = Date.now()
  const seed = (id: number, status: string, publishedAt: number | null, marked: boolean) => {
    const words = Array.from({ length: 120 + Math.floor(random() * 120) }, () =>
      random() < 0.4 ? pick(COMMON) : pick(vocabulary),
    )
    if (marked) words.splice(Math.floor(random() * words.length), 0, CORPUS_MARKER)
    const body = `${words.join(' ')}.`
    const title = `${pick(vocabulary)} ${pick(COMMON)} ${pick(vocabulary)} ${id}`
    insertPost.run({ id, title, slug: `post-${id}`, status, publishedAt, now, body, html: `<p>${body}</p>` })
    insertFts.run(id, title, body, `${pick(vocabulary)} ${pick(vocabulary)}`)
  }
  db.$client.transaction(() => {
    for (let i = 0; i < posts; i++) seed(i + 1, 'published', now - (i + 1) * 60_000, i % 13 === 0)
    seed(posts + 1, 'draft', null, true)
    seed(posts + 2, 'scheduled', now + DAY, true)
  })()
  return { publicWithMarker: Math.floor((posts - 1) / 13) + 1 }
}
