// Keyboard use in real Chromium: Tab reaches every action of the journeys, starting with the skip link,
// and every focused element shows where the focus is.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Page } from 'playwright-core'
import { issueSetupToken } from '../../src/features/auth/users.ts'
import { receiveMessage } from '../../src/features/contact/service.ts'
import {
  authorSessionCookie,
  type LiveSite,
  launchBrowser,
  openPage,
  requireChromium,
  startSite,
} from '../helpers/browser.ts'
import { createPost } from '../helpers/fixtures.ts'

/** What Tab landed on, and how it looked there. */
interface Focused {
  /** Stable per element within one page load, so a second visit to the same element ends the walk. */
  readonly key: number
  readonly tag: string
  readonly id: string
  readonly name: string
  readonly className: string
  readonly href: string
  readonly text: string
  readonly visible: boolean
  readonly inViewport: boolean
  readonly indicator: string | null
  /** Focus is in the date picker button inside a date/time input's shadow tree, not in its text. */
  readonly pickerButton: boolean
}

/** A short description of an element for failure messages: `a.tag "Performance" → /tags/performance`. */
const describeStop = (f: Focused): string =>
  `${f.tag}${f.id ? `#${f.id}` : ''}${f.className ? `.${f.className.split(/\s+/).join('.')}` : ''}` +
  `${f.name ? `[name=${f.name}]` : ''}${f.text ? ` "${f.text}"` : ''}${f.href ? ` → ${f.href}` : ''}`

/** Presses Tab until focus comes back round (or leaves the page), recording each element focused. */
async function tabThrough(page: Page, max = 120): Promise<Focused[]> {
  // The public site scrolls smoothly unless a person asks for less motion; asking for it here means a
  // focused element has scrolled into view by the time it is measured.
  await page.emulateMedia({ reducedMotion: 'reduce' })
  // Start from the top of the document, as a person does after the page loads.
  await page.evaluate(() => {
    ;(document.activeElement as HTMLElement | null)?.blur?.()
    window.scrollTo(0, 0)
  })
  const walk: Focused[] = []
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab')
    const focused = await page.evaluate((): Focused | null => {
      let el = document.activeElement as HTMLElement | null
      if (!el || el === document.body || el === document.documentElement) return null
      // In a frame of this site (the editor's preview), what a person sees focused is the frame's own
      // focused element, measured where it sits on the page.
      let frameLeft = 0
      let frameTop = 0
      while (el instanceof HTMLIFrameElement) {
        const inner = el.contentDocument?.activeElement as HTMLElement | null | undefined
        if (!inner || inner === el.contentDocument?.body) break
        const frame = el.getBoundingClientRect()
        frameLeft += frame.left
        frameTop += frame.top
        el = inner
      }
      const w = window as unknown as { __focusKeys?: WeakMap<Element, number>; __nextKey?: number }
      w.__focusKeys ??= new WeakMap()
      let key = w.__focusKeys.get(el)
      if (key === undefined) {
        w.__nextKey = (w.__nextKey ?? 0) + 1
        key = w.__nextKey
        w.__focusKeys.set(el, key)
      }
      const style = (el.ownerDocument.defaultView ?? window).getComputedStyle(el)
      const inFrame = el.getBoundingClientRect()
      const rect = {
        width: inFrame.width,
        height: inFrame.height,
        top: inFrame.top + frameTop,
        bottom: inFrame.bottom + frameTop,
        left: inFrame.left + frameLeft,
        right: inFrame.right + frameLeft,
      }
      const outlineWidth = Number.parseFloat(style.outlineWidth) || 0
      const indicator =
        style.outlineStyle !== 'none' && outlineWidth > 0
          ? `outline ${style.outlineStyle} ${style.outlineWidth}`
          : style.boxShadow && style.boxShadow !== 'none'
            ? `box-shadow ${style.boxShadow}`
            : null
      const visible =
        rect.width > 0 && rect.height > 0 && style.visibility !== 'hidden' && Number(style.opacity) > 0
      const inViewport =
        rect.bottom > 0 && rect.right > 0 && rect.top < window.innerHeight && rect.left < window.innerWidth
      const label =
        el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement
          ? (el.labels?.[0]?.textContent ?? '')
          : (el.textContent ?? '')
      const pickerButton =
        el instanceof HTMLInputElement &&
        /^(date|datetime-local|time|month|week)$/.test(el.type) &&
        !el.matches(':focus-visible')
      return {
        key,
        tag: el.tagName.toLowerCase(),
        id: el.id,
        name: el.getAttribute('name') ?? '',
        className: typeof el.className === 'string' ? el.className.trim() : '',
        href: el.getAttribute('href') ?? '',
        text: label.replace(/\s+/g, ' ').trim().slice(0, 60),
        visible,
        inViewport,
        indicator,
        pickerButton,
      }
    })
    if (!focused || focused.key === walk[0]?.key) break
    walk.push(focused)
  }
  return walk
}

/** The checks every page gets: skip link first and visible, every stop visible and outlined. */
function assertKeyboardBasics(walk: readonly Focused[], page: string) {
  const [first] = walk
  assert.ok(first, `${page}: Tab focuses something`)
  assert.equal(
    first.className,
    'skip-link',
    `${page}: the first Tab stop is the skip link, not ${describeStop(first)}`,
  )
  assert.ok(first.visible && first.inViewport, `${page}: the focused skip link is visible on screen`)
  const hidden = walk.filter((f) => !f.visible || !f.inViewport).map(describeStop)
  assert.deepEqual(hidden, [], `${page}: Tab stops a person cannot see`)
  // A date input's calendar button is checked on its own, in the author's test.
  const noRing = walk.filter((f) => !f.indicator && !f.pickerButton).map(describeStop)
  assert.deepEqual(noRing, [], `${page}: focused elements without a visible focus indicator`)
}

/** Asserts that some Tab stop matches each of `wanted` (a description for the message, and a test). */
function assertReaches(
  walk: readonly Focused[],
  page: string,
  wanted: Record<string, (f: Focused) => boolean>,
) {
  const missing = Object.entries(wanted)
    .filter(([, matches]) => !walk.some(matches))
    .map(([what]) => what)
  assert.deepEqual(
    missing,
    [],
    `${page}: not reachable with Tab. Reached: ${walk.map(describeStop).join(' | ')}`,
  )
}

const byId = (id: string) => (f: Focused) => f.id === id
const byText = (tag: string, text: string | RegExp) => (f: Focused) =>
  f.tag === tag && (typeof text === 'string' ? f.text === text : text.test(f.text))

/** A small site with everything the journeys touch: tagged articles, a series, a link post, a message. */
async function keyboardSite(t: Parameters<typeof startSite>[0]) {
  const site = await startSite(t)
  const { db } = site
  for (const part of [1, 2]) {
    createPost(db, {
      title: `Rebuilding a shop, part ${part}`,
      bodyMd: `Part ${part}.\n\nMore detail.`,
      series: 'Rebuilding a shop',
      tags: ['Case study'],
      daysAgo: 10 - part,
    })
  }
  const article = createPost(db, {
    title: 'Tuning SQLite for a small VPS',
    bodyMd:
      'One file, no server.\n\n## The pragmas\n\nTurn on WAL.\n\n```sql\nPRAGMA journal_mode = WAL;\n```',
    tags: ['SQLite', 'Performance'],
    daysAgo: 2,
  })
  createPost(db, {
    title: 'The case for boring technology',
    kind: 'link',
    linkUrl: 'https://example.org/boring',
    bodyMd: 'An essay I send to clients.',
    daysAgo: 1,
  })
  return { site, article }
}

async function signIn(site: LiveSite, page: Page) {
  await page.context().addCookies([await authorSessionCookie(site)])
}

test('keyboard: public pages, from the skip link to the footer, with a visible focus ring', {
  timeout: 90_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const { site, article } = await keyboardSite(t)
  const browser = await launchBrowser(t)
  const { page } = await openPage(browser)

  await page.goto(`${site.baseUrl}/`)
  const home = await tabThrough(page)
  assertKeyboardBasics(home, 'home')
  assertReaches(home, 'home', {
    'the search box': byId('site-search-q'),
    'the Search button': byText('button', 'Search'),
    '"Read more" of the SQLite article': byText('a', /^Read more of “Tuning SQLite for a small VPS” →$/),
    'a tag link': (f) => f.className === 'tag' && f.text === 'Performance',
    'the series label': byText('a', 'Part 1 of 2 in Rebuilding a shop'),
    "the link post's permalink": byText('a', /^Permalink/),
    '"Get in touch"': byText('a', 'Get in touch'),
    'the Contact link': byText('a', 'Contact'),
    'the Atom feed link': byText('a', 'Atom feed'),
  })

  await page.goto(`${site.baseUrl}/posts/${article.slug}`)
  const post = await tabThrough(page)
  assertKeyboardBasics(post, 'article')
  assertReaches(post, 'article', {
    'the search box': byId('site-search-q'),
    'the SQLite tag': (f) => f.className === 'tag' && f.text === 'SQLite',
    'the Performance tag': (f) => f.className === 'tag' && f.text === 'Performance',
    'the next/previous post links': (f) => f.tag === 'a' && /adjacent__/.test(f.className),
  })

  await page.goto(`${site.baseUrl}/posts/rebuilding-a-shop-part-1`)
  const part = await tabThrough(page)
  assertKeyboardBasics(part, 'series part')
  assertReaches(part, 'series part', {
    'the next part in the series navigation': byText('a', 'Rebuilding a shop, part 2'),
  })

  await page.goto(`${site.baseUrl}/contact`)
  const contact = await tabThrough(page)
  assertKeyboardBasics(contact, 'contact')
  assertReaches(contact, 'contact', {
    'Your name': byId('contact-name'),
    'Your email': byId('contact-email'),
    Subject: byId('contact-subject'),
    Message: byId('contact-message'),
    'Send message': byText('button', 'Send message'),
  })
  const fields = contact.filter((f) => f.id.startsWith('contact-')).map((f) => f.id)
  assert.deepEqual(
    fields,
    ['contact-name', 'contact-email', 'contact-subject', 'contact-message'],
    'the fields come in reading order and the hidden honeypot is never focused',
  )

  // After a refused send, Tab still reaches the summary's links and the fields.
  await page.locator('#contact-email').fill('not-an-email')
  await page.locator('#contact-message').fill('Too short')
  await page.locator('#contact-email').press('Enter')
  await page.locator('#contact-email-error').waitFor()
  const refused = await tabThrough(page)
  assertKeyboardBasics(refused, 'contact with errors')
  assertReaches(refused, 'contact with errors', {
    "the error summary's link to the email field": (f) => f.tag === 'a' && f.href === '#contact-email',
    'Send message': byText('button', 'Send message'),
  })
})

test('keyboard: the author reaches setup, the editor, the inbox and Sign out, with a visible focus ring', {
  timeout: 90_000,
}, async (t) => {
  if (!requireChromium(t)) return
  const { site, article } = await keyboardSite(t)
  const token = issueSetupToken(site.db)
  assert.ok(token)
  const browser = await launchBrowser(t)
  const { page } = await openPage(browser)

  await page.goto(`${site.baseUrl}/admin/setup?token=${encodeURIComponent(token)}`)
  const setup = await tabThrough(page)
  assertKeyboardBasics(setup, 'setup')
  assertReaches(setup, 'setup', {
    'Your name': byId('name'),
    Email: byId('email'),
    Password: byId('password'),
    'Create account': byText('button', 'Create account'),
  })

  await signIn(site, page)
  const message = receiveMessage(
    site.db,
    {
      name: 'Grace Hopper',
      email: 'grace@example.com',
      subject: 'Maintenance',
      body: 'Can you help us upgrade?',
    },
    { ip: '203.0.113.8', userAgent: 'Mozilla/5.0', spam: { score: 0, reasons: [], isSpam: false } },
  )

  await page.goto(`${site.baseUrl}/admin/posts/new`)
  // The editor's script adds "Insert image…" beside the text; wait for it so the walk includes it.
  await page.locator('.media-upload__button').waitFor()
  const editor = await tabThrough(page)
  assertKeyboardBasics(editor, 'editor')
  assertReaches(editor, 'editor', {
    'the Posts link': byText('a', 'Posts'),
    'the Inbox link': byText('a', /^Inbox/),
    'Sign out': byText('button', 'Sign out'),
    Title: byId('title'),
    'Kind (Article)': byId('kind-article'),
    Text: byId('body'),
    'Insert image…': byText('button', 'Insert image…'),
    Excerpt: byId('excerpt'),
    'Address (slug)': byId('slug'),
    Tags: byId('tags'),
    Series: byId('series'),
    'Part number': byId('series_part'),
    'Meta description': byId('meta_description'),
    'Save draft': byText('button', 'Save draft'),
    Preview: byText('button', 'Preview'),
    'Publish…': byText('button', 'Publish…'),
  })

  // Publish… opens its dialog from the keyboard: the focus goes in, the arrows choose, Tab reaches
  // the time once "At a time" is chosen, and Esc gives the focus back to the button.
  const focusedId = () => page.evaluate(() => document.activeElement?.id ?? '')
  await page.locator('#publish-button').focus()
  await page.keyboard.press('Enter')
  await page.locator('#publish-dialog').waitFor()
  assert.equal(await focusedId(), 'publish-now')
  await page.keyboard.press('ArrowDown')
  assert.equal(await page.locator('#publish-later').isChecked(), true)
  await page.keyboard.press('Tab')
  assert.equal(await focusedId(), 'published_at')
  assert.ok(
    await page.locator('#published_at').evaluate((el) => getComputedStyle(el).outlineStyle !== 'none'),
    'the date field in the dialog shows the focus ring',
  )
  await page.keyboard.press('Escape')
  await page.locator('#publish-dialog').waitFor({ state: 'hidden' })
  assert.equal(await focusedId(), 'publish-button')

  await page.goto(`${site.baseUrl}/admin/posts/${article.id}`)
  const edit = await tabThrough(page)
  assertKeyboardBasics(edit, 'editing a published post')
  assertReaches(edit, 'editing a published post', {
    Revisions: byText('a', 'Revisions'),
    'View on the site': byText('a', 'View on the site'),
    Update: byText('button', 'Update'),
    Unpublish: byText('button', 'Unpublish'),
    'Publish date and time': byId('published_at'),
    'Delete this post…': byText('a', 'Delete this post…'),
  })

  const pickers = edit.filter((f) => f.pickerButton)
  assert.ok(pickers.length > 0, 'Tab reaches the calendar button of “Publish date and time”')
  await t.test('the calendar button in “Publish date and time” shows the site’s focus ring', () => {
    assert.deepEqual(pickers.filter((f) => !f.indicator).map(describeStop), [])
  })

  await page.goto(`${site.baseUrl}/admin/inbox`)
  const inbox = await tabThrough(page)
  assertKeyboardBasics(inbox, 'inbox')
  assertReaches(inbox, 'inbox', {
    'the message': (f) => f.tag === 'a' && f.href === `/admin/inbox/${message.id}`,
    'its checkbox': byId(`select-${message.id}`),
    'the bulk Archive button': byText('button', 'Archive'),
  })

  // JavaScript off, so the message stays unread and the "Mark as read" button stays on the page.
  const { page: noScript } = await openPage(browser, { javaScript: false })
  await noScript.context().addCookies(await page.context().cookies())
  await noScript.goto(`${site.baseUrl}/admin/inbox/${message.id}`)
  const shown = await tabThrough(noScript)
  assertKeyboardBasics(shown, 'message')
  assertReaches(shown, 'message', {
    'Mark as read': byText('button', 'Mark as read'),
    Reply: byText('a', 'Reply'),
    Archive: byText('button', 'Archive'),
    'Sign out': byText('button', 'Sign out'),
  })
})
