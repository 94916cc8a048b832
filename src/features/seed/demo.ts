// Owns the demo content behind `cli seed --posts N` and the benchmark: a believable freelance developer's blog.
import { count } from 'drizzle-orm'
import type { Db } from '../../db/client.ts'
import { type PostKind, type PostStatus, pages, posts, series } from '../../db/schema.ts'
import { slugify } from '../../lib/slugs.ts'
import { pageUrl, seriesUrl } from '../../lib/urls.ts'
import { savePage } from '../content/pages.ts'
import { type PostInput, savePost } from '../content/posts.ts'
import { markBeforeSeeding, recordSeedBatch, type SeededSettings, seedSettings } from './record.ts'

export interface SeedOptions {
  readonly posts: number
  readonly now?: Date
  /** A source of numbers in [0, 1); missing: a fixed-seed generator, so every run builds the same site. */
  readonly random?: () => number
  /** Called after each post is saved, with how many of how many (the CLI's progress bar). */
  readonly onProgress?: (done: number, total: number) => void
}

/** What this run wrote: posts saved, pages created, series and distinct tags its posts use. */
export interface SeedResult {
  readonly posts: number
  readonly pages: number
  readonly series: number
  readonly tags: number
}

type Rng = () => number

const SEED = 0x5eed_f011
const DAY_MS = 24 * 60 * 60 * 1000
// A big seed would otherwise reach back decades; a prolific link blog fits ten years.
const MAX_SPAN_DAYS = 3650
const MEAN_GAP_DAYS = 1.75

/** mulberry32: tiny, fast and good enough to pick sentences. */
function mulberry32(seed: number): Rng {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[Math.floor(rng() * items.length)]
  if (item === undefined) throw new Error('pick() needs a non-empty list')
  return item
}

function between(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1))
}

function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const copy = [...items]
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1))
    const a = copy[i] as T
    copy[i] = copy[j] as T
    copy[j] = a
  }
  return copy
}

/** Draws without repeats until the pool runs out, so one post never says the same sentence twice. */
function deck<T>(rng: Rng, pool: readonly T[]): () => T {
  let cards: T[] = []
  return () => {
    if (cards.length === 0) cards = shuffled(rng, pool)
    return cards.pop() as T
  }
}

// ---------------------------------------------------------------------------------------------
// Topics: everything a post needs to sound like it is about one thing.

type Lang = 'ts' | 'js' | 'bash' | 'sql' | 'css' | 'python' | 'json' | 'yaml' | 'html'

interface Topic {
  readonly name: string
  readonly tags: readonly string[]
  /** Noun phrases that fit "A practical guide to …". */
  readonly subjects: readonly string[]
  readonly inline: readonly string[]
  readonly langs: readonly Lang[]
  readonly doc: string
}

const TOPICS: readonly Topic[] = [
  {
    name: 'SQLite',
    tags: ['sqlite', 'databases', 'performance'],
    subjects: [
      'WAL mode',
      'the SQLite query planner',
      'full-text search with FTS5',
      'SQLite backups',
      'busy timeouts',
      'SQLite migrations',
      'JSON in SQLite',
      'read replicas with LiteFS',
      'covering indexes',
      'SQLite write throughput',
    ],
    inline: [
      'PRAGMA journal_mode = WAL',
      'busy_timeout',
      'VACUUM INTO',
      'EXPLAIN QUERY PLAN',
      'synchronous = FULL',
    ],
    langs: ['sql', 'ts', 'bash'],
    doc: 'https://www.sqlite.org/docs.html',
  },
  {
    name: 'Fastify',
    tags: ['fastify', 'node', 'typescript'],
    subjects: [
      'Fastify plugins',
      'request hooks',
      'schema validation',
      'graceful shutdown',
      'plugin encapsulation',
      'error handlers',
      'rate limiting',
      'server-rendered templates',
    ],
    inline: ['fastify-plugin', 'onRequest', 'reply.locals', 'app.inject()', 'decorateRequest'],
    langs: ['ts', 'js', 'bash'],
    doc: 'https://fastify.dev/docs/latest/',
  },
  {
    name: 'TypeScript',
    tags: ['typescript', 'javascript', 'tooling'],
    subjects: [
      'strict mode',
      'the noUncheckedIndexedAccess flag',
      'discriminated unions',
      'type-safe SQL',
      'branded types',
      'TypeScript without a build step',
      'zod schemas',
      'exhaustive switches',
    ],
    inline: ['satisfies', 'as const', 'unknown', 'never', 'verbatimModuleSyntax'],
    langs: ['ts', 'json'],
    doc: 'https://www.typescriptlang.org/docs/',
  },
  {
    name: 'CSS',
    tags: ['css', 'html', 'web-standards'],
    subjects: [
      'container queries',
      'the :has() selector',
      'cascade layers',
      'fluid typography',
      'CSS grid',
      'logical properties',
      'view transitions',
      'dark mode',
    ],
    inline: [':has()', 'clamp()', 'container-type', '@layer', 'prefers-color-scheme'],
    langs: ['css', 'html'],
    doc: 'https://developer.mozilla.org/en-US/docs/Web/CSS',
  },
  {
    name: 'accessibility',
    tags: ['accessibility', 'html', 'web-standards'],
    subjects: [
      'accessible forms',
      'focus management',
      'skip links',
      'screen reader testing',
      'form error messages',
      'colour contrast',
      'accessible names',
      'keyboard navigation',
    ],
    inline: ['aria-describedby', '<label for>', 'aria-live', 'prefers-reduced-motion', ':focus-visible'],
    langs: ['html', 'css'],
    doc: 'https://www.w3.org/WAI/tutorials/forms/',
  },
  {
    name: 'web performance',
    tags: ['performance', 'caching', 'web-standards'],
    subjects: [
      'Core Web Vitals',
      'HTTP caching',
      'image formats',
      'font loading',
      'the Server-Timing header',
      'compression',
      'time to first byte',
      'cache invalidation',
    ],
    inline: [
      'Cache-Control',
      'stale-while-revalidate',
      'fetchpriority',
      'font-display: swap',
      'Server-Timing',
    ],
    langs: ['bash', 'js', 'yaml'],
    doc: 'https://web.dev/learn/performance',
  },
  {
    name: 'Postgres',
    tags: ['postgres', 'databases', 'performance'],
    subjects: [
      'Postgres indexes',
      'connection pooling',
      'EXPLAIN ANALYZE',
      'partial indexes',
      'row-level security',
      'advisory locks',
      'Postgres full-text search',
      'zero-downtime migrations',
    ],
    inline: ['EXPLAIN ANALYZE', 'pg_stat_statements', 'CREATE INDEX CONCURRENTLY', 'jsonb', 'work_mem'],
    langs: ['sql', 'python', 'bash'],
    doc: 'https://www.postgresql.org/docs/current/',
  },
  {
    name: 'Node.js',
    tags: ['node', 'javascript', 'typescript'],
    subjects: [
      'Node streams',
      'the built-in test runner',
      'worker threads',
      'ES modules in Node',
      'AbortController',
      'environment variables',
      'graceful restarts',
    ],
    inline: [
      'node --test',
      'AbortSignal.timeout()',
      'import.meta.url',
      'process.exitCode',
      'structuredClone',
    ],
    langs: ['js', 'ts', 'bash', 'json'],
    doc: 'https://nodejs.org/docs/latest/api/',
  },
  {
    name: 'web security',
    tags: ['security', 'web-standards', 'node'],
    subjects: [
      'Content Security Policy',
      'CSRF protection',
      'password hashing with argon2',
      'session cookies',
      'escaping output',
      'rate limiting logins',
      'security headers',
    ],
    inline: ['SameSite=Lax', 'HttpOnly', 'Content-Security-Policy', 'argon2id', 'frame-ancestors'],
    langs: ['ts', 'bash', 'yaml'],
    doc: 'https://cheatsheetseries.owasp.org/',
  },
  {
    name: 'testing',
    tags: ['testing', 'node', 'typescript'],
    subjects: [
      'integration tests',
      'testing with a real database',
      'browser tests',
      'snapshot tests',
      'flaky tests',
      'test fixtures',
      'testing HTML forms',
    ],
    inline: ['t.after()', 'assert.deepEqual', 'app.inject()', '--test-concurrency', 'mkdtempSync'],
    langs: ['ts', 'js', 'yaml'],
    doc: 'https://nodejs.org/api/test.html',
  },
  {
    name: 'Fly.io',
    tags: ['deployment', 'fly-io', 'docker', 'devops'],
    subjects: [
      'Fly.io volumes',
      'zero-downtime deploys',
      'systemd services',
      'Caddy as a reverse proxy',
      'health checks',
      'multi-stage Docker builds',
      'deploying to one small VPS',
    ],
    inline: ['fly deploy', 'systemctl restart', 'HEALTHCHECK', 'fly volumes create', 'caddy reload'],
    langs: ['bash', 'yaml'],
    doc: 'https://fly.io/docs/',
  },
  {
    name: 'HTML',
    tags: ['html', 'web-standards', 'accessibility'],
    subjects: [
      'the dialog element',
      'semantic HTML',
      'responsive images',
      'forms without JavaScript',
      'the details element',
      'progressive enhancement',
      'the popover attribute',
    ],
    inline: ['<dialog>', '<details>', 'srcset', 'loading="lazy"', '<picture>'],
    langs: ['html', 'css'],
    doc: 'https://html.spec.whatwg.org/multipage/',
  },
  {
    name: 'Python',
    tags: ['python', 'tooling', 'databases'],
    subjects: [
      'Python scripts for ops',
      'Datasette',
      'the sqlite-utils library',
      'data clean-up scripts',
      'virtual environments with uv',
      'scraping with httpx',
    ],
    inline: ['uv run', 'sqlite_utils', 'pathlib.Path', 'argparse', 'json.dumps'],
    langs: ['python', 'bash', 'sql'],
    doc: 'https://docs.python.org/3/',
  },
  {
    name: 'freelancing',
    tags: ['freelancing', 'tooling'],
    subjects: [
      'pricing fixed-scope projects',
      'writing proposals',
      'client handovers',
      'maintenance retainers',
      'saying no to projects',
      'estimating',
    ],
    inline: ['README.md', 'CHANGELOG.md', 'npm run check', '.env.example'],
    langs: ['bash', 'json'],
    doc: 'https://www.example.com/freelance-handbook',
  },
  {
    name: 'site search',
    tags: ['search', 'markdown', 'sqlite'],
    subjects: [
      'site search',
      'Markdown rendering',
      'syntax highlighting',
      'RSS and JSON feeds',
      'sitemaps',
      'excerpts and read-more links',
    ],
    inline: ['<!--more-->', 'marked', 'highlight.js', 'sanitize-html', 'rel="alternate"'],
    langs: ['ts', 'json', 'html'],
    doc: 'https://www.sqlite.org/fts5.html',
  },
  {
    name: 'Git',
    tags: ['git', 'tooling', 'devops'],
    subjects: [
      'git bisect',
      'GitHub Actions',
      'pre-commit hooks',
      'monorepos',
      'release notes',
      'git worktrees',
    ],
    inline: ['git bisect run', 'git worktree add', 'git rebase --autosquash', '.gitattributes'],
    langs: ['bash', 'yaml'],
    doc: 'https://git-scm.com/docs',
  },
]

const TAG_POOL = [...new Set(TOPICS.flatMap((topic) => topic.tags).concat('javascript', 'html'))]

// ---------------------------------------------------------------------------------------------
// Code: real-looking snippets, one fenced block each.

const CODE: Record<Lang, readonly string[]> = {
  ts: [
    `import Database from 'better-sqlite3'

export function openDatabase(path: string): Database.Database {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('busy_timeout = 5000')
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  return db
}`,
    `import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'

export default fp(async (app: FastifyInstance) => {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff')
    request.log.debug({ url: request.url }, 'incoming request')
  })
}, { name: 'security-headers' })`,
    `import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildApp } from '../src/app.ts'

test('an unknown post renders the 404 page', async (t) => {
  const app = await buildApp({ databasePath: ':memory:' })
  t.after(() => app.close())
  const response = await app.inject({ method: 'GET', url: '/posts/nope' })
  assert.equal(response.statusCode, 404)
  assert.match(response.body, /Page not found/)
})`,
    `type Result<T> = { ok: true; value: T } | { ok: false; error: string }

export function parsePort(input: string | undefined): Result<number> {
  const port = Number(input ?? '3000')
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return { ok: false, error: 'PORT must be a whole number between 1 and 65535' }
  }
  return { ok: true, value: port }
}`,
    `import * as z from 'zod'

export const contactForm = z.object({
  name: z.string().trim().min(1, 'Please tell me your name').max(100),
  email: z.email('That does not look like an email address'),
  message: z.string().trim().min(10, 'A few more words, please').max(5000),
})

export type ContactForm = z.infer<typeof contactForm>`,
  ],
  js: [
    `const controller = new AbortController()
const timer = setTimeout(() => controller.abort(), 5000)

try {
  const response = await fetch('https://api.example.com/status', { signal: controller.signal })
  if (!response.ok) throw new Error('Status check failed: ' + response.status)
  console.log(await response.json())
} finally {
  clearTimeout(timer)
}`,
    `import { createReadStream } from 'node:fs'
import { createInterface } from 'node:readline'

let errors = 0
const lines = createInterface({ input: createReadStream('access.log') })
for await (const line of lines) {
  if (line.includes('" 500 ')) errors++
}
console.log(errors + ' server errors')`,
    `document.addEventListener('submit', (event) => {
  const form = event.target
  if (!(form instanceof HTMLFormElement)) return
  const button = form.querySelector('button[type=submit]')
  // Progressive enhancement: the form still works when this never runs.
  if (button) button.disabled = true
})`,
  ],
  bash: [
    `#!/usr/bin/env bash
set -euo pipefail

backup="/var/backups/folio-$(date +%F).db"
sqlite3 /srv/folio/data/folio.db ".backup '$backup'"
gzip -f "$backup"
find /var/backups -name 'folio-*.db.gz' -mtime +14 -delete`,
    `fly volumes create folio_data --size 1 --region ams
fly secrets set SITE_URL=https://blog.example.com
fly deploy --strategy rolling
fly logs | grep -i error`,
    `sudo systemctl daemon-reload
sudo systemctl enable --now folio.service
journalctl -u folio.service -f --since "10 minutes ago"`,
    `# Time to first byte, five times, from the server itself
for i in 1 2 3 4 5; do
  curl -s -o /dev/null -w '%{time_starttransfer}\\n' https://blog.example.com/
done`,
  ],
  sql: [
    `CREATE INDEX posts_visibility_idx ON posts (status, published_at);

EXPLAIN QUERY PLAN
SELECT id, title, slug
FROM posts
WHERE status != 'draft' AND published_at <= unixepoch('now') * 1000
ORDER BY published_at DESC
LIMIT 10;`,
    `SELECT tags.name, count(*) AS uses
FROM post_tags
JOIN tags ON tags.id = post_tags.tag_id
GROUP BY tags.id
ORDER BY uses DESC, tags.name
LIMIT 20;`,
    `SELECT posts.title, snippet(posts_fts, 1, '<mark>', '</mark>', '…', 12) AS snippet
FROM posts_fts
JOIN posts ON posts.id = posts_fts.rowid
WHERE posts_fts MATCH 'sqlite AND backup*'
ORDER BY bm25(posts_fts)
LIMIT 20;`,
    `CREATE INDEX CONCURRENTLY orders_customer_recent_idx
  ON orders (customer_id, created_at DESC)
  WHERE status <> 'cancelled';

EXPLAIN (ANALYZE, BUFFERS)
SELECT * FROM orders WHERE customer_id = 42 ORDER BY created_at DESC LIMIT 20;`,
  ],
  css: [
    `@layer reset, base, components, utilities;

@layer base {
  :root {
    --step-0: clamp(1rem, 0.95rem + 0.25vw, 1.125rem);
    --measure: 65ch;
  }
  body { font-size: var(--step-0); line-height: 1.6; }
  main { max-inline-size: var(--measure); margin-inline: auto; }
}`,
    `.card-list { container-type: inline-size; }

@container (min-width: 40rem) {
  .card { display: grid; grid-template-columns: 12rem 1fr; gap: 1.5rem; }
}

.field:has(input:user-invalid) .field-error { display: block; }`,
    `@media (prefers-color-scheme: dark) {
  :root { --bg: #111418; --fg: #e8eaed; --accent: #8ab4f8; }
}

@media (prefers-reduced-motion: reduce) {
  *, *::before, *::after { animation-duration: 0.01ms !important; transition: none !important; }
}

:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }`,
  ],
  python: [
    `import sqlite3
from pathlib import Path

db = sqlite3.connect(Path("data") / "folio.db")
rows = db.execute(
    "select strftime('%Y', published_at / 1000, 'unixepoch') as year, count(*) "
    "from posts where status = 'published' group by year order by year"
).fetchall()
for year, total in rows:
    print(f"{year}: {total} posts")`,
    `import httpx

def check(urls: list[str]) -> list[str]:
    broken = []
    with httpx.Client(timeout=10, follow_redirects=True) as client:
        for url in urls:
            response = client.head(url)
            if response.status_code >= 400:
                broken.append(f"{response.status_code} {url}")
    return broken`,
    `import argparse
import json

parser = argparse.ArgumentParser(description="Summarise a JSON feed")
parser.add_argument("path")
args = parser.parse_args()

with open(args.path) as f:
    feed = json.load(f)
for item in feed["items"][:10]:
    print(item["date_published"][:10], item["title"])`,
  ],
  json: [
    `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "verbatimModuleSyntax": true,
    "allowImportingTsExtensions": true,
    "noEmit": true
  }
}`,
    `{
  "scripts": {
    "start": "tsx src/server.ts",
    "test": "node --import tsx --test \\"test/**/*.test.ts\\"",
    "check": "npm run typecheck && npm run lint && npm test"
  },
  "engines": { "node": ">=20" }
}`,
    `{
  "version": "https://jsonfeed.org/version/1.1",
  "title": "Sam Rivera",
  "home_page_url": "https://blog.example.com/",
  "items": [
    { "id": "https://blog.example.com/posts/hello", "title": "Hello", "date_published": "2024-05-01T09:00:00Z" }
  ]
}`,
  ],
  yaml: [
    `name: check
on: [push, pull_request]
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-node@v4
        with: { node-version: 20, cache: npm }
      - run: npm ci
      - run: npm run check`,
    `services:
  app:
    build: .
    environment:
      DATABASE_PATH: /data/folio.db
      SITE_URL: https://blog.example.com
    volumes:
      - folio-data:/data
    restart: unless-stopped
volumes:
  folio-data:`,
    `# litefs.yml
fuse:
  dir: /litefs
data:
  dir: /var/lib/litefs
lease:
  type: consul
  candidate: \${FLY_REGION == PRIMARY_REGION}
proxy:
  addr: ":8080"
  target: "localhost:3000"
  db: folio.db`,
  ],
  html: [
    `<form method="post" action="/contact" novalidate>
  <div class="field">
    <label for="email">Your email</label>
    <input id="email" name="email" type="email" autocomplete="email"
           aria-describedby="email-error" aria-invalid="true" required>
    <p id="email-error" class="field-error">That does not look like an email address.</p>
  </div>
  <button type="submit">Send message</button>
</form>`,
    `<picture>
  <source srcset="/media/hero.avif" type="image/avif">
  <source srcset="/media/hero.webp" type="image/webp">
  <img src="/media/hero.jpg" alt="A laptop on a kitchen table, terminal open"
       width="1200" height="675" loading="lazy" decoding="async">
</picture>`,
    `<details>
  <summary>Show the full configuration</summary>
  <pre><code>PORT=3000
DATABASE_PATH=./data/folio.db</code></pre>
</details>

<a class="skip-link" href="#main">Skip to content</a>`,
  ],
}

const LANG_LABEL: Record<Lang, string> = {
  ts: 'ts',
  js: 'js',
  bash: 'bash',
  sql: 'sql',
  css: 'css',
  python: 'python',
  json: 'json',
  yaml: 'yaml',
  html: 'html',
}

// ---------------------------------------------------------------------------------------------
// Prose: fragments with {placeholders}, so thousands of posts differ without costing much.

const CLIENTS = [
  'a small charity',
  'an online bookshop',
  'a local architecture practice',
  'a two-person SaaS',
  'a university research group',
  'a coffee roaster',
  'a regional newspaper',
  'a language school',
]
const COMPANIES = [
  'Example Co.',
  'a 40-person start-up',
  'a public broadcaster',
  'a large online retailer',
  'a tiny SaaS',
  'a regional bank',
  'a national newspaper',
  'a game studio',
]
const DURATIONS = ['a couple of years', 'about six months', 'most of this year', 'three years', 'a long time']

const OPENERS = [
  "I've been working on {name} for client projects for {duration}, and {main} is the part I get asked about most.",
  'Last month {client} asked me why their site felt slow, and the answer turned out to involve {main}.',
  'This is a write-up of how I approach {main}, mostly so I stop re-explaining it in pull requests.',
  "There's a lot of advice about {main} out there, and most of it assumes a team much bigger than mine.",
  'I keep a file of notes on {main}; this post is that file, cleaned up.',
  '{Main} is one of those topics that looks simple until you ship it.',
  'A short one today: something about {main} that surprised me this week.',
  "When I rebuilt {client}'s site last year, {main} was the piece I was least sure about.",
  'Every few months I relearn the same lesson about {main}, so this time I am writing it down.',
  'I gave a short talk on {main} at a local meetup, and a few people asked for the notes.',
]

const MIDDLES = [
  'The first thing I do is measure: guessing about {subject} has cost me more hours than any bug.',
  'The defaults are fine for a demo, but in production you want {code} set explicitly.',
  'It helps to remember that the computer is doing exactly what you asked, not what you meant.',
  '{Link} cover this well, but the important detail is easy to miss.',
  'In practice that means one small change: {code}.',
  'Most of the complexity disappears once you stop fighting the platform.',
  'The trade-off is real, but for a site of this size it is the right one.',
  'I reached for {code} here, and it did exactly what it says on the tin.',
  'This took the p95 response time {timing}, which nobody will notice, but the server bill did.',
  'None of this needs a framework; it needs a few lines of code and a test.',
  'The failure mode is quiet: nothing crashes, things just get slower over a few weeks.',
  'If you only take one thing from this post, make it {code}.',
  'I wrote a test for it first, which caught two mistakes before they shipped.',
  'Be careful with {code}: it is easy to turn on and hard to reason about later.',
  'The numbers here come from a $5 VPS with one shared CPU, a good stand-in for most small sites.',
  'Every extra moving part is something you will have to debug at 2am.',
  'Keeping this boring is the whole point.',
  'The documentation for {code} is short, and worth reading twice.',
  "It's worth checking what your hosting provider already does here before adding anything.",
  'For {client}, that was the difference between a site that felt sluggish and one that felt instant.',
  'I used to think {subject} was an advanced topic; it is mostly a checklist.',
  'The tricky part is not {subject} itself but everything that has to agree with it.',
  'A colleague pointed out that {other} has the same problem, just with different names.',
  'Reading {link} again, I noticed I had skipped the paragraph that mattered.',
  'That sounds like a lot of work, but it came to about {n} lines in the end.',
  'The second version was shorter than the first, which is usually a good sign.',
  'After {n} deploys with this setup I have stopped thinking about it, which is the goal.',
]

const CLOSERS = [
  "That's it: no magic, just {main} done carefully.",
  "If you've found a better approach to {main}, I'd love to hear about it.",
  "I'll follow up once this has been running in production for a few months.",
  'As always, measure on your own hardware before trusting my numbers.',
  'Next time I want to look at {subject}, which turned out to be related.',
  'If this was useful, the rest of my notes on {name} are tagged below.',
]

const HEADINGS = [
  'The problem',
  'Why {name}?',
  'Measuring first',
  'The naive version',
  'What actually worked',
  'A closer look at {subject}',
  'Trade-offs',
  'Putting it together',
  'Deploying it',
  "What I'd do differently",
  'Testing it',
  'Edge cases',
  'A note on {subject}',
  'Results',
  'Further reading',
]

const CODE_LEADS = [
  "Here's the relevant part:",
  'The whole thing fits in a few lines:',
  'This is what I ended up with:',
  'In code, that looks like this:',
  'For reference, the configuration:',
  'A minimal version, stripped of project specifics:',
]

const LIST_LEADS = ['My checklist, roughly in order:', 'A few things to watch for:', 'What I check first:']
const LIST_ITEMS = [
  'Measure before you change anything.',
  'Keep {code} in version control, next to the code that depends on it.',
  'Write the rollback plan before the migration.',
  'Test against a copy of production data, not a fixture with three rows.',
  'Prefer boring defaults over clever ones.',
  'Write down *why* in the commit message.',
  'Check the logs for a week after shipping.',
  'Try it with the keyboard only, then with a screen reader.',
  'Set a budget (time, bytes or money) and stick to it.',
  'Automate the check so it runs on every pull request.',
]

const QUOTES = [
  'Make it work, make it right, make it fast.\n\n— Kent Beck',
  'Premature optimization is the root of all evil.\n\n— Donald Knuth, who also said the other 3% matters',
  "The first rule of ARIA: if you can use a native HTML element, do that instead.\n\n— W3C's *Using ARIA*",
  'Simple things should be simple, complex things should be possible.\n\n— Alan Kay',
  'Backups that have never been restored are not backups; they are hopes.',
  'The fastest code is the code that never runs.',
]

const EXCERPTS = [
  'A practical look at {main}: what to measure, what to change, and what to leave alone.',
  'How I set up {main} for {client}, with the code and the numbers.',
  'Notes on {main} from a few years of small client projects, and the mistakes I keep making.',
  'Everything I wish I had known about {main} before my first production incident.',
  '{Main}, step by step, without a framework and without a team of ten.',
]

const ARTICLE_TITLES = [
  'Making {main} fast',
  'What {client} taught me about {main}',
  '{Name} in practice: {main}',
  'A practical guide to {main}',
  'Notes on {main}',
  'Why I reach for {main}',
  'Debugging {main}',
  '{n} things I wish I had known about {main}',
  '{Main}, explained with small examples',
  'How I use {main} on client projects',
  'The case for {main}',
  'Getting {main} right',
  '{Main} without a framework',
  'A field guide to {main}',
  'Testing {main} properly',
  '{Main}: the parts nobody tells you',
  'Revisiting {main} in {year}',
  'Shipping {main} to production',
  '{Main} on a $5 VPS',
  'Small wins with {main}',
  'I was wrong about {main}',
  'The boring way to do {main}',
  '{Main} and {second}',
  'From {second} to {main}',
  '{Main} vs. {second}: what I use and why',
  'When {main} meets {second}',
  'How I set up {main} for {client}',
]
const TITLE_QUALIFIERS = [
  ' for small teams',
  ' on a budget',
  ', without the hype',
  ' in {year}',
  ' for solo developers',
  ', step by step',
  ': a checklist',
  ', revisited',
]

// ---------------------------------------------------------------------------------------------
// Link posts: someone else's article, a few lines of commentary, sometimes a quote.

interface Author {
  readonly name: string
  readonly site: string
  readonly path: (slug: string, year: number) => string
}

const AUTHORS: readonly Author[] = [
  { name: 'Priya Raman', site: 'priya.example.com', path: (s, y) => `/${y}/${s}/` },
  { name: 'Tomasz Nowak', site: 'tomasz.example.net', path: (s) => `/posts/${s}` },
  { name: 'Jess Okafor', site: 'jess.example.org', path: (s, y) => `/blog/${y}/${s}.html` },
  { name: 'Lena Fischer', site: 'notes.example.com', path: (s) => `/${s}` },
  { name: 'Marco Bianchi', site: 'marco.example.org', path: (s, y) => `/writing/${y}/${s}` },
  { name: 'the Example Co. engineering team', site: 'engineering.example.com', path: (s) => `/blog/${s}` },
  { name: 'Aiko Tanaka', site: 'aiko.example.net', path: (s, y) => `/${y}/${s}/` },
  { name: 'Dev Patel', site: 'devpatel.example', path: (s) => `/til/${s}` },
  { name: 'Sofia Alves', site: 'sofia.example.com', path: (s) => `/articles/${s}/` },
  { name: 'Olu Adeyemi', site: 'blog.example.org', path: (s, y) => `/${y}/${s}` },
]

interface KnownLink {
  readonly title: string
  readonly url: string
  readonly topic: string
}

/** Real pages, each linked at most once per run; never fetched. */
const KNOWN_LINKS: readonly KnownLink[] = [
  { title: 'SQLite: Write-Ahead Logging', url: 'https://www.sqlite.org/wal.html', topic: 'SQLite' },
  { title: 'Appropriate Uses For SQLite', url: 'https://www.sqlite.org/whentouse.html', topic: 'SQLite' },
  { title: 'The SQLite FTS5 Extension', url: 'https://www.sqlite.org/fts5.html', topic: 'site search' },
  {
    title: 'MDN: The :has() pseudo-class',
    url: 'https://developer.mozilla.org/en-US/docs/Web/CSS/:has',
    topic: 'CSS',
  },
  {
    title: 'MDN: The dialog element',
    url: 'https://developer.mozilla.org/en-US/docs/Web/HTML/Element/dialog',
    topic: 'HTML',
  },
  {
    title: 'HTTP caching, on MDN',
    url: 'https://developer.mozilla.org/en-US/docs/Web/HTTP/Caching',
    topic: 'web performance',
  },
  {
    title: 'Fastify: Encapsulation',
    url: 'https://fastify.dev/docs/latest/Reference/Encapsulation/',
    topic: 'Fastify',
  },
  { title: 'The Node.js test runner', url: 'https://nodejs.org/api/test.html', topic: 'testing' },
  {
    title: 'W3C WAI: Forms Tutorial',
    url: 'https://www.w3.org/WAI/tutorials/forms/',
    topic: 'accessibility',
  },
  {
    title: 'OWASP Password Storage Cheat Sheet',
    url: 'https://cheatsheetseries.owasp.org/cheatsheets/Password_Storage_Cheat_Sheet.html',
    topic: 'web security',
  },
  {
    title: 'OWASP Cross-Site Request Forgery Prevention Cheat Sheet',
    url: 'https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html',
    topic: 'web security',
  },
  {
    title: 'PostgreSQL: Using EXPLAIN',
    url: 'https://www.postgresql.org/docs/current/using-explain.html',
    topic: 'Postgres',
  },
  { title: 'Fly.io: Volumes overview', url: 'https://fly.io/docs/volumes/overview/', topic: 'Fly.io' },
  { title: 'LiteFS: distributed SQLite', url: 'https://fly.io/docs/litefs/', topic: 'SQLite' },
  { title: 'web.dev: Learn Performance', url: 'https://web.dev/learn/performance', topic: 'web performance' },
  {
    title: 'TSConfig reference: noUncheckedIndexedAccess',
    url: 'https://www.typescriptlang.org/tsconfig/#noUncheckedIndexedAccess',
    topic: 'TypeScript',
  },
  {
    title: 'Caddy: the reverse_proxy directive',
    url: 'https://caddyserver.com/docs/caddyfile/directives/reverse_proxy',
    topic: 'Fly.io',
  },
  { title: 'Datasette', url: 'https://datasette.io/', topic: 'Python' },
  { title: 'The WebAIM Million', url: 'https://webaim.org/projects/million/', topic: 'accessibility' },
  { title: 'Git: git-bisect documentation', url: 'https://git-scm.com/docs/git-bisect', topic: 'Git' },
]

const LINK_TITLES = [
  '{Main} is underrated',
  'How we cut our hosting bill in half with {main}',
  'An interactive guide to {main}',
  'The surprising cost of {main}',
  'Everything I know about {main}',
  'A deep dive into {main}',
  '{Name} at scale: lessons from {n} years',
  'Why we moved away from {main}',
  'Understanding {main}',
  '{Main}: a visual explanation',
  'Notes from a year of {main}',
  'Lessons learned shipping {main}',
  "What's new in {name}, {year} edition",
  'The state of {main} in {year}',
  'Rethinking {main}',
  'You probably want {main}',
  '{Main} for the rest of us',
  'Falsehoods programmers believe about {main}',
  '{Main} vs. {second}',
  'How we use {main} at {company}',
  '{Main} in {n} minutes',
  'From {second} to {main}: a migration story',
  'Why {company} bet on {main}',
  '{Main} and {second}, side by side',
]

const LINK_COMMENTS = [
  '{Author} on {main}, with the clearest explanation of {code} I have read.',
  'Great write-up from {author}. I particularly liked the section on {main}.',
  'A useful reminder that there is nothing magic about {main}.',
  'I have been doing this wrong for years, apparently.',
  'Bookmarking this for the next time a client asks about {main}.',
  'Lots of practical detail here, including benchmarks on modest hardware.',
  'This matches my experience with {name} almost exactly.',
  'The comments on this one are worth reading too.',
  'Short, opinionated and mostly right, which is my favourite kind of post.',
  'If you only read one thing about {main} this month, make it this.',
]

const LINK_QUOTES = [
  'The fastest request is the one you never make. Everything else is a trade-off between freshness and cost.',
  'We spent three months building the clever version, then replaced it with forty lines of boring code that have not paged anyone since.',
  'Most of the problems we found were not in {main} itself; they were in how we were using it.',
  "If you can't explain {main} to a new hire in five minutes, it's probably too complicated.",
  'Defaults matter more than documentation. Most people will never change them.',
  'The best time to add {main} is at the start of a project. The second best time is before your first incident.',
  "Nothing about this is new. It's been in the spec for years; browsers just caught up.",
  "Measure, change one thing, measure again. It's slow, and it's the only approach that has ever worked for me.",
]

// ---------------------------------------------------------------------------------------------
// Series: hand-written ones first, then generated ones as the seed grows.

interface SeriesPlan {
  readonly title: string
  readonly topic: Topic
  readonly subtitles: readonly string[]
}

const topicNamed = (name: string): Topic =>
  TOPICS.find((topic) => topic.name === name) ?? (TOPICS[0] as Topic)

const HAND_SERIES: readonly SeriesPlan[] = [
  {
    title: 'Building a blog engine',
    topic: topicNamed('Fastify'),
    subtitles: [
      'the data model',
      'rendering Markdown at save time',
      'routes and templates',
      'feeds and sitemaps',
      'search with FTS5',
    ],
  },
  {
    title: 'SQLite in production',
    topic: topicNamed('SQLite'),
    subtitles: [
      'choosing the pragmas',
      'backups that actually restore',
      'migrations without downtime',
      'read replicas with LiteFS',
      'knowing when to leave',
    ],
  },
  {
    title: 'Accessible forms',
    topic: topicNamed('accessibility'),
    subtitles: [
      'labels and descriptions',
      'error messages people can find',
      'focus after submit',
      'testing with a screen reader',
      'the checklist',
    ],
  },
  {
    title: 'Modern CSS for old-school sites',
    topic: topicNamed('CSS'),
    subtitles: [
      'cascade layers',
      'container queries',
      'the :has() selector',
      'fluid type with clamp()',
      'dark mode done right',
    ],
  },
  {
    title: 'Deploying a Node app by hand',
    topic: topicNamed('Fly.io'),
    subtitles: [
      'a VPS and systemd',
      'Caddy in front',
      'zero-downtime restarts',
      'backups and monitoring',
      'moving to Fly.io',
    ],
  },
  {
    title: 'Testing without mocks',
    topic: topicNamed('testing'),
    subtitles: [
      'a real database per test',
      'testing routes with inject',
      'browser tests that are not flaky',
      'fixtures that stay small',
      'running it all in CI',
    ],
  },
  {
    title: 'Securing a small site',
    topic: topicNamed('web security'),
    subtitles: [
      'passwords and sessions',
      'CSRF, properly',
      'a Content Security Policy that works',
      'rate limits',
      'what to log',
    ],
  },
  {
    title: 'Freelancing notes',
    topic: topicNamed('freelancing'),
    subtitles: ['finding the first clients', 'pricing', 'proposals', 'handovers', 'retainers'],
  },
]

const SERIES_PATTERNS = [
  '{Name} from scratch',
  '{Name} in practice',
  'A year of {name}',
  '{Name}: the hard parts',
]

function* seriesPlans(): Generator<SeriesPlan> {
  for (let volume = 1; ; volume++) {
    const suffix = volume === 1 ? '' : `, volume ${volume}`
    for (const plan of HAND_SERIES) yield { ...plan, title: plan.title + suffix }
    for (const pattern of SERIES_PATTERNS) {
      for (const topic of TOPICS) {
        const title = pattern.replace('{Name}', capitalize(topic.name)).replace('{name}', topic.name) + suffix
        yield { title, topic, subtitles: topic.subjects }
      }
    }
  }
}

/** Upper-cases the first letter, skipping Markdown punctuation such as a link's `[`. */
function capitalize(text: string): string {
  return text.replace(/^([^a-z]*?)([a-z])/i, (_, lead: string, letter: string) => lead + letter.toUpperCase())
}

type Fillers = Record<string, () => string>

function fill(template: string, fillers: Fillers): string {
  return template.replace(/\{(\w+)\}/g, (match, key: string) => {
    const lower = key.charAt(0).toLowerCase() + key.slice(1)
    const value = fillers[lower]?.()
    if (value === undefined) return match
    return key === lower ? value : capitalize(value)
  })
}

/** `main` is what the post is about; `subject` strays from it now and then, as real writing does. */
function fillersFor(rng: Rng, topic: Topic, year: number, main: string, author?: Author): Fillers {
  const inline = topic.inline.length > 0 ? topic.inline : ['README.md']
  return {
    name: () => topic.name,
    main: () => main,
    subject: () => (rng() < 0.5 ? main : pick(rng, topic.subjects)),
    code: () => `\`${pick(rng, inline)}\``,
    link: () =>
      `[${pick(rng, ['the docs', 'the official docs', 'the reference pages', 'the guides'])}](${topic.doc})`,
    client: () => pick(rng, CLIENTS),
    duration: () => pick(rng, DURATIONS),
    other: () => pick(rng, TOPICS).name,
    n: () => String(between(rng, 3, 12)),
    year: () => String(year - between(rng, 0, 1)),
    timing: () => {
      const before = between(rng, 18, 90) * 10
      return `from ${before} ms to ${Math.round(before * (0.15 + rng() * 0.45))} ms`
    },
    author: () => author?.name ?? pick(rng, AUTHORS).name,
    company: () => pick(rng, COMPANIES),
    second: () => {
      let other = pick(rng, topic.subjects)
      while (other === main && topic.subjects.length > 1) other = pick(rng, topic.subjects)
      return other
    },
  }
}

function paragraph(fillers: Fillers, sentences: readonly string[]): string {
  return sentences.map((sentence) => fill(sentence, fillers)).join(' ')
}

interface ArticleParts {
  readonly bodyMd: string
  readonly excerptMd?: string
}

function composeArticle(rng: Rng, topic: Topic, fillers: Fillers, seriesNote?: string): ArticleParts {
  const middle = deck(rng, MIDDLES)
  const headings = deck(rng, HEADINGS)
  const blocks: string[] = []

  const intro = [pick(rng, OPENERS), middle(), middle()]
  if (rng() < 0.4) intro.push(middle())
  blocks.push((seriesNote ? `${seriesNote} ` : '') + paragraph(fillers, intro))

  const style = rng()
  if (style < 0.3) {
    blocks.push(paragraph(fillers, [middle(), middle()]), '<!--more-->')
  }

  const sectionCount = between(rng, 2, 4)
  const codeSection = between(rng, 0, sectionCount - 1)
  for (let i = 0; i < sectionCount; i++) {
    blocks.push(`## ${fill(headings(), fillers)}`)
    blocks.push(paragraph(fillers, [middle(), middle(), middle()]))
    if (i === codeSection || rng() < 0.3) {
      const lang = pick(rng, topic.langs)
      blocks.push(pick(rng, CODE_LEADS), `\`\`\`${LANG_LABEL[lang]}\n${pick(rng, CODE[lang])}\n\`\`\``)
    }
    if (rng() < 0.25) {
      const items = shuffled(rng, LIST_ITEMS).slice(0, between(rng, 3, 5))
      const ordered = rng() < 0.3
      blocks.push(
        pick(rng, LIST_LEADS),
        items.map((item, n) => `${ordered ? `${n + 1}.` : '-'} ${fill(item, fillers)}`).join('\n'),
      )
    }
    if (rng() < 0.12) blocks.push(`> ${pick(rng, QUOTES).replace(/\n/g, '\n> ')}`)
    if (rng() < 0.5) blocks.push(paragraph(fillers, [middle(), middle()]))
  }
  blocks.push(paragraph(fillers, [middle(), pick(rng, CLOSERS)]))

  const bodyMd = blocks.join('\n\n')
  if (style >= 0.3 && style < 0.5) return { bodyMd, excerptMd: fill(pick(rng, EXCERPTS), fillers) }
  return { bodyMd }
}

/** Tries a few combinations, then numbers the title: slugs stay unique either way, titles mostly do. */
function uniqueTitle(used: Set<string>, generate: () => string): string {
  let title = generate()
  for (let attempt = 0; used.has(title) && attempt < 20; attempt++) title = generate()
  if (used.has(title)) {
    const base = title
    for (let n = 2; used.has(title); n++) title = `${base} (take ${n})`
  }
  used.add(title)
  return title
}

function pickTags(rng: Rng, topic: Topic): string[] {
  const roll = rng()
  const wanted = roll < 0.2 ? 1 : roll < 0.6 ? 2 : roll < 0.9 ? 3 : 4
  const chosen = shuffled(rng, topic.tags).slice(0, wanted)
  while (chosen.length < wanted) {
    const extra = pick(rng, TAG_POOL)
    if (!chosen.includes(extra)) chosen.push(extra)
  }
  return chosen
}

// ---------------------------------------------------------------------------------------------
// Planning: dates, statuses and series first, so series parts come out in publishing order.

interface Slot {
  readonly status: PostStatus
  readonly publishedAt: Date | undefined
  kind: PostKind
  series?: { readonly plan: SeriesPlan; readonly part: number }
}

function planSlots(rng: Rng, total: number, now: Date): { chronological: Slot[]; drafts: Slot[] } {
  const drafts = total >= 10 ? Math.max(1, Math.round(total * 0.02)) : 0
  const scheduled = total >= 10 ? Math.max(1, Math.round(total * 0.01)) : 0
  const published = total - drafts - scheduled
  const scale = Math.min(1, MAX_SPAN_DAYS / (Math.max(1, published) * MEAN_GAP_DAYS))

  const newestFirst: Slot[] = []
  let at = now.getTime() - (0.05 + rng() * 0.45) * DAY_MS * scale
  for (let i = 0; i < published; i++) {
    newestFirst.push({ status: 'published', publishedAt: new Date(Math.round(at)), kind: 'article' })
    at -= (0.5 + rng() * 2.5) * DAY_MS * scale
  }
  const future: Slot[] = []
  for (let i = 0; i < scheduled; i++) {
    const publishedAt = new Date(Math.round(now.getTime() + (1 + rng() * 29) * DAY_MS))
    future.push({ status: 'scheduled', publishedAt, kind: 'article' })
  }
  future.sort((a, b) => (a.publishedAt?.getTime() ?? 0) - (b.publishedAt?.getTime() ?? 0))
  const draftSlots: Slot[] = Array.from({ length: drafts }, () => ({
    status: 'draft',
    publishedAt: undefined,
    kind: 'article',
  }))
  return { chronological: [...newestFirst.reverse(), ...future], drafts: draftSlots }
}

/** Picks `k` free slots close together, so a series reads as written over a few weeks. */
function pickSeriesSlots(rng: Rng, taken: boolean[], k: number): number[] {
  const n = taken.length
  const span = Math.min(n, Math.max(k * 8, 24))
  const start = Math.floor(rng() * (n - span + 1))
  let free: number[] = []
  for (let i = start; i < start + span; i++) if (!taken[i]) free.push(i)
  if (free.length < k) free = taken.flatMap((isTaken, i) => (isTaken ? [] : [i]))
  if (free.length < k) return []
  return shuffled(rng, free)
    .slice(0, k)
    .sort((a, b) => a - b)
}

function assignSeries(rng: Rng, slots: Slot[], total: number, existing: ReadonlySet<string>): void {
  if (total < 10) return
  const wanted = Math.min(3 + Math.floor(total / 500), 40)
  let budget = Math.min(slots.length, Math.max(9, Math.floor(slots.length / 2)))
  const taken = slots.map(() => false)
  const plans = seriesPlans()
  for (let s = 0; s < wanted && budget >= 3; s++) {
    let plan = plans.next().value as SeriesPlan
    while (existing.has(slugify(plan.title))) plan = plans.next().value as SeriesPlan
    // Leave room for three parts in every series still to come.
    const reserved = 3 * Math.max(0, Math.min(wanted - s - 1, Math.floor(budget / 3) - 1))
    const k = Math.min(between(rng, 3, 5), budget - reserved, plan.subtitles.length)
    const chosen = pickSeriesSlots(rng, taken, k)
    if (chosen.length < 3) break
    chosen.forEach((index, n) => {
      const slot = slots[index] as Slot
      taken[index] = true
      slot.kind = 'article'
      slot.series = { plan, part: n + 1 }
    })
    budget -= chosen.length
  }
}

function assignKinds(rng: Rng, slots: readonly Slot[]): void {
  let links = 0
  for (const slot of slots) {
    if (slot.series) continue
    slot.kind = rng() < 0.3 ? 'link' : 'article'
    if (slot.kind === 'link') links++
  }
  // A tiny seed could roll no link posts at all, and then the demo would not show them.
  if (links === 0 && slots.length >= 3) {
    const free = slots.find((slot) => !slot.series)
    if (free) free.kind = 'link'
  }
}

interface Writer {
  readonly rng: Rng
  readonly now: Date
  readonly usedTitles: Set<string>
  readonly usedKnownLinks: Set<string>
  readonly tagsUsed: Set<string>
  readonly seriesUsed: Set<string>
}

function articleInput(w: Writer, slot: Slot): PostInput {
  const { rng } = w
  const year = (slot.publishedAt ?? w.now).getUTCFullYear()
  let topic = pick(rng, TOPICS)
  let main = pick(rng, topic.subjects)
  let title: string
  let seriesNote: string | undefined
  if (slot.series) {
    const { plan, part } = slot.series
    topic = plan.topic
    main = pick(rng, topic.subjects)
    const subtitle = plan.subtitles[part - 1] ?? pick(rng, plan.subtitles)
    title = uniqueTitle(w.usedTitles, () => `${plan.title}: ${subtitle}`)
    const previous = plan.subtitles[part - 2]
    seriesNote =
      part === 1
        ? `This is the first part of my series *${plan.title}*.`
        : previous
          ? `In the previous part I covered ${previous}. This time: ${subtitle}.`
          : undefined
    w.seriesUsed.add(plan.title)
  } else {
    title = uniqueTitle(w.usedTitles, () => {
      main = pick(rng, topic.subjects)
      const fillers = fillersFor(rng, topic, year, main)
      const template = pick(rng, ARTICLE_TITLES)
      // Only "… {main}" titles read well with a qualifier after them.
      const qualify = template.endsWith('{main}') && !template.includes(':') && rng() < 0.3
      return fill(template, fillers) + (qualify ? fill(pick(rng, TITLE_QUALIFIERS), fillers) : '')
    })
  }
  const fillers = fillersFor(rng, topic, year, main)
  const { bodyMd, excerptMd } = composeArticle(rng, topic, fillers, seriesNote)
  const tags = pickTags(rng, topic)
  for (const tag of tags) w.tagsUsed.add(tag)
  return {
    title,
    kind: 'article',
    bodyMd,
    excerptMd,
    tags,
    series: slot.series?.plan.title,
    seriesPart: slot.series?.part,
    status: slot.status,
    publishedAt: slot.publishedAt,
  }
}

function linkInput(w: Writer, slot: Slot): PostInput {
  const { rng } = w
  const year = (slot.publishedAt ?? w.now).getUTCFullYear()
  const known = rng() < 0.15 ? KNOWN_LINKS.find((link) => !w.usedKnownLinks.has(link.url)) : undefined
  const author = pick(rng, AUTHORS)
  const topic = known ? topicNamed(known.topic) : pick(rng, TOPICS)
  let main = pick(rng, topic.subjects)
  let title: string
  let linkUrl: string
  if (known) {
    w.usedKnownLinks.add(known.url)
    title = uniqueTitle(w.usedTitles, () => known.title)
    linkUrl = known.url
  } else {
    title = uniqueTitle(w.usedTitles, () => {
      main = pick(rng, topic.subjects)
      return fill(pick(rng, LINK_TITLES), fillersFor(rng, topic, year, main, author))
    })
    linkUrl = `https://${author.site}${author.path(slugify(title), year)}`
  }
  const fillers = fillersFor(rng, topic, year, main, known ? undefined : author)
  const comments = shuffled(rng, LINK_COMMENTS).slice(0, between(rng, 1, 3))
  let bodyMd = paragraph(fillers, comments)
  if (rng() < 0.25) {
    const via = pick(rng, AUTHORS)
    bodyMd += ` (Via [${via.name}](https://${via.site}/).)`
  }
  const quoteMd = rng() < 0.5 ? fill(pick(rng, LINK_QUOTES), fillers) : undefined
  const tags = pickTags(rng, topic)
  for (const tag of tags) w.tagsUsed.add(tag)
  return {
    title,
    kind: 'link',
    bodyMd,
    linkUrl,
    quoteMd,
    tags,
    status: slot.status,
    publishedAt: slot.publishedAt,
  }
}

// ---------------------------------------------------------------------------------------------
// Pages and settings: the persona.

const ABOUT_MD = `I'm Sam Rivera, an independent web developer. For the last twelve years I have built websites and
web applications for charities, small publishers, research groups and the occasional start-up.

I like the boring parts of the web: HTML that works before the JavaScript arrives, databases that fit in
one file, servers that restart in a second, and pages that load quickly on a five-year-old phone on a bus.

## What I write about

This blog is where I keep my notes: long articles on the things I build with (mostly **SQLite**,
**Node.js**, **TypeScript** and **CSS**), short links to other people's writing worth reading, and the
occasional series when a topic will not fit in one post.

## Elsewhere

- Code lives on [GitHub](https://github.example/samrivera).
- I post shorter things on [Mastodon](https://mastodon.example/@sam).
- There are [feeds](/feed.xml) for everything on this site.

If you would like to work together, have a look at [how I work with clients](${pageUrl('work-with-me')}).`

const WORK_MD = `I take on a small number of projects at a time, so each one gets my full attention. Most last
between two weeks and three months.

## How I can help

- **Performance audits.** I find out why your site is slow, fix what matters most, and leave you with
  a budget and a check that keeps it fast.
- **Accessibility reviews.** A manual audit against WCAG 2.2 with a screen reader and a keyboard, and
  pull requests rather than a PDF.
- **Full-stack builds.** Server-rendered sites and small applications in TypeScript, on SQLite or
  Postgres, deployed to a VPS or Fly.io.
- **Rescue work.** An inherited codebase nobody dares to touch: tests first, then changes.

## How it works

1. We talk for half an hour about what you need; no charge.
2. I send a short written proposal with a fixed price and a timeline.
3. We work in the open: a shared board, a weekly note, and code in your repository from day one.
4. At the end you get a handover document and a month of questions answered for free.

## Get in touch

The quickest way is the [contact form](/contact). I reply within two working days.`

const USES_MD = `The tools I use every day. *Draft: still deciding what to say about editors.*

- **Hardware:** a 14" laptop, a second-hand monitor, and a keyboard with too many layers.
- **Editor:** VS Code with very few extensions.
- **Terminal:** a plain shell, \`tmux\`, \`ripgrep\`, \`sqlite3\` and \`jq\`.
- **Hosting:** a $5 VPS for most client sites, Fly.io when one region is not enough.`

/** What the persona adds to a site without pages: its page ids, and the settings it changed. */
interface SiteBasics {
  readonly pageIds: number[]
  readonly settings: SeededSettings
}

/** `withSeries`: the demo's first series exists, so the intro can point at it rather than at a 404. */
function seedSiteBasics(db: Db, now: Date, withSeries: boolean): SiteBasics {
  const settings = seedSettings(
    db,
    {
      title: 'Sam Rivera',
      tagline: 'Independent web developer',
      description:
        'Sam Rivera builds fast, accessible websites for small teams, and writes about SQLite, Node.js and the web platform.',
      authorName: 'Sam Rivera',
      authorBioMd:
        'Sam Rivera is an independent web developer who builds fast, accessible sites for small teams. Find Sam on [Mastodon](https://mastodon.example/@sam).',
      introMd: [
        "Hey there! 👋 I'm Sam, an independent web developer. I help small teams build websites that are fast,",
        'accessible and cheap to run, usually with TypeScript, SQLite and a lot of plain HTML.',
        '',
        'Below you will find long articles about how I build things, links to writing I found useful, and a few',
        withSeries
          ? `multi-part series. Start with [SQLite in production](${seriesUrl(slugify('SQLite in production'))}) if you are new here.`
          : 'multi-part series.',
      ].join('\n'),
      servicesTitle: 'Need some help?',
      servicesMd: [
        'I have room for one or two new projects each quarter:',
        '',
        '- **Performance audits**: make a slow site fast, and keep it that way.',
        '- **Accessibility reviews**: find and fix what keeps people out.',
        '- **Full-stack builds**: from the database to the browser, in TypeScript.',
        '- **Rescue work**: tests and a plan for the codebase nobody dares to touch.',
        '',
        `Read more about [how I work with clients](${pageUrl('work-with-me')}).`,
      ].join('\n'),
      contactIntroMd:
        'Have a project in mind, or a question about something I wrote? Send me a message and I will reply within two working days. No newsletters, no sales calls.',
      socialLinks: [
        { label: 'Mastodon', url: 'https://mastodon.example/@sam' },
        { label: 'GitHub', url: 'https://github.example/samrivera' },
      ],
    },
    now,
  )
  const pageIds = [
    savePage(
      db,
      { title: 'About', slug: 'about', bodyMd: ABOUT_MD, status: 'published', navOrder: 1 },
      { now },
    ),
    savePage(
      db,
      { title: 'Work with me', slug: 'work-with-me', bodyMd: WORK_MD, status: 'published', navOrder: 2 },
      { now },
    ),
    savePage(db, { title: 'Uses', slug: 'uses', bodyMd: USES_MD, status: 'draft', navOrder: null }, { now }),
  ]
  return { pageIds, settings }
}

/**
 * Fills the site with `options.posts` demo posts (and, on a site without pages, the persona's
 * settings and pages). Everything goes through the content services, inside one transaction:
 * with synchronous=FULL a commit per post would spend the whole run waiting on fsync.
 */
export function seedDemoContent(db: Db, options: SeedOptions): SeedResult {
  const now = options.now ?? new Date()
  const total = Math.max(0, Math.floor(options.posts))

  return db.transaction((tx) => {
    const existingPosts = tx.select({ n: count() }).from(posts).get()?.n ?? 0
    // Re-seeding mixes in the post count, so a second run adds new titles rather than "(take 2)"s.
    const rng = options.random ?? mulberry32(SEED ^ Math.imul(existingPosts, 0x9e3779b1))
    const existingSeries = new Set(
      tx
        .select({ slug: series.slug })
        .from(series)
        .all()
        .map((row) => row.slug),
    )
    const hasPages = tx.select({ id: pages.id }).from(pages).limit(1).get() !== undefined
    const marks = markBeforeSeeding(db)

    const basics = hasPages ? { pageIds: [], settings: {} } : seedSiteBasics(db, now, total >= 10)

    const { chronological, drafts } = planSlots(rng, total, now)
    assignSeries(rng, chronological, total, existingSeries)
    assignKinds(rng, [...chronological, ...drafts])

    const writer: Writer = {
      rng,
      now,
      usedTitles: new Set(),
      usedKnownLinks: new Set(),
      tagsUsed: new Set(),
      seriesUsed: new Set(),
    }
    // Oldest first, so ids grow with dates as they would on a real blog.
    const postIds = [...chronological, ...drafts].map((slot, index, all) => {
      const input = slot.kind === 'link' ? linkInput(writer, slot) : articleInput(writer, slot)
      const savedAt = slot.status === 'published' && slot.publishedAt ? slot.publishedAt : now
      const id = savePost(db, input, { now: savedAt })
      options.onProgress?.(index + 1, all.length)
      return id
    })
    // What this run created, so that `seed --remove` takes away exactly that.
    recordSeedBatch(db, { at: now, marks, postIds, ...basics })
    return {
      posts: total,
      pages: basics.pageIds.length,
      series: writer.seriesUsed.size,
      tags: writer.tagsUsed.size,
    }
  })
}
