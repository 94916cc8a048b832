// Checks the admin on a 360 px phone in real Chromium: no screen scrolls sideways, the navigation is
// one row until opened (without JavaScript too), lists keep every column and their table semantics,
// and no Delete sits on a row with a form's Save or other main button, on a phone or a desktop.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Page } from 'playwright-core'
import { getSettings } from '../../src/features/settings/service.ts'
import {
  launchBrowser,
  newContext,
  openVisit,
  type PageVisit,
  requireChromium,
  type Showcase,
  startShowcase,
} from '../helpers/browser.ts'
import { type Box, shareARow, sidewaysOverflow, visibleBoxes } from '../helpers/layout.ts'

const PHONE = { width: 360, height: 740 }
const DESKTOP = { width: 1280, height: 900 }

/** Opens the Delete link on the page it starts from: the confirmation screen. */
const followDelete = async (page: Page) => {
  const [response] = await Promise.all([
    page.waitForNavigation(),
    page.getByRole('link', { name: 'Delete…', exact: true }).first().click(),
  ])
  return response
}

/** Every admin screen the showcase lists, plus the ones it leaves out: series, new items, refused forms, confirmations. */
function adminScreens(showcase: Showcase): PageVisit[] {
  const { baseUrl, db } = showcase.site
  const u = (path: string) => `${baseUrl}${path}`
  const url = (name: string) => {
    const visit = showcase.admin.find((v) => v.name === name)
    if (!visit) throw new Error(`the showcase has no page named ${name}`)
    return visit.url
  }
  const series = db.$client.prepare('select id from series order by id limit 1').get() as { id: number }
  return [
    ...showcase.admin,
    { name: 'admin-page-new', url: u('/admin/pages/new'), admin: true },
    { name: 'admin-series', url: u('/admin/series'), admin: true },
    { name: 'admin-series-new', url: u('/admin/series/new'), admin: true },
    { name: 'admin-series-edit', url: u(`/admin/series/${series.id}`), admin: true },
    {
      name: 'admin-settings-errors',
      url: u('/admin/settings'),
      admin: true,
      status: 422,
      act: async (page) => {
        await page.fill('#language', 'not a language')
        await page.fill('#social_label_0', 'Blog')
        await page.fill('#social_url_0', 'ftp://example.com')
        const [response] = await Promise.all([
          page.waitForNavigation(),
          page.getByRole('button', { name: 'Save settings' }).click(),
        ])
        return response
      },
    },
    { name: 'admin-page-delete', url: url('admin-page-edit'), admin: true, act: followDelete },
    { name: 'admin-series-delete', url: u(`/admin/series/${series.id}`), admin: true, act: followDelete },
    { name: 'admin-media-delete', url: url('admin-media-item'), admin: true, act: followDelete },
    { name: 'admin-message-delete', url: url('admin-message'), admin: true, act: followDelete },
  ]
}

/** The screens with a form and a Delete: the post editor has its own helper and is left out here. */
const WITH_DELETE = ['admin-page-edit', 'admin-series-edit', 'admin-media-item', 'admin-message']

/** Forms whose Delete must keep its distance, and those that have none but must keep it that way. */
const FORMS = [
  ...WITH_DELETE,
  'admin-settings',
  'admin-settings-errors',
  'admin-account',
  'admin-page-new',
  'admin-series-new',
  'admin-media',
  'admin-inbox',
]

const LISTS = ['admin-posts', 'admin-pages', 'admin-series', 'admin-inbox', 'admin-account']

test('the admin on a 360 px phone', async (t) => {
  if (!requireChromium(t)) return
  const browser = await launchBrowser(t)
  const showcase = await startShowcase(t)
  const screens = adminScreens(showcase)
  const screen = (name: string) => {
    const visit = screens.find((v) => v.name === name)
    if (!visit) throw new Error(`no screen named ${name}`)
    return visit
  }

  /** A page in a signed-in (or, for sign-in and setup, signed-out) context of the given size. */
  const contexts = new Map<string, Awaited<ReturnType<typeof newContext>>>()
  const open = async (visit: PageVisit, size: { width: number; height: number }, javaScript = true) => {
    const key = `${size.width}-${javaScript}-${visit.admin ? 'in' : 'out'}`
    let context = contexts.get(key)
    if (!context) {
      context = await newContext(browser, { ...size, javaScript })
      if (visit.admin) await context.addCookies([showcase.sessionCookie])
      contexts.set(key, context)
    }
    const page = await context.newPage()
    const response = await openVisit(page, visit)
    assert.equal(response?.status(), visit.status ?? 200, `${visit.name} answered ${response?.status()}`)
    return page
  }
  t.after(async () => {
    for (const context of contexts.values()) await context.close()
  })

  await t.test('no admin screen scrolls sideways at 360 px', async () => {
    const wide: string[] = []
    for (const visit of screens) {
      const page = await open(visit, PHONE)
      const overflow = await sidewaysOverflow(page)
      if (overflow) wide.push(`${visit.name}: ${overflow}`)
      await page.close()
    }
    assert.deepEqual(wide, [], `Admin screens that scroll sideways at 360 px:\n${wide.join('\n')}`)
  })

  await t.test('the navigation is one row until Menu opens it, with or without JavaScript', async () => {
    for (const javaScript of [true, false]) {
      const page = await open(screen('admin-posts'), PHONE, javaScript)
      const header = page.locator('.admin-header')
      const row = await visibleBoxes(header.locator('a, button, summary'))
      assert.deepEqual(
        row.map((box) => box.label),
        [getSettings(showcase.site.db).title, 'Menu'],
        'only the site title and Menu show while the menu is closed',
      )
      assert.ok(shareARow(row[0] as Box, row[1] as Box), 'the title and Menu share one row')
      const posts = header.getByRole('link', { name: 'Posts', exact: true })
      assert.equal(await posts.isVisible(), false)

      await header.getByText('Menu', { exact: true }).click()
      assert.equal(
        await posts.isVisible(),
        true,
        `Menu opens the navigation (JavaScript ${javaScript ? 'on' : 'off'})`,
      )
      for (const name of ['Dashboard', 'Pages', 'Series', 'Media', 'Settings', 'View site'])
        assert.equal(
          await header.getByRole('link', { name, exact: true }).isVisible(),
          true,
          `${name} is in the menu`,
        )
      assert.equal(
        await header.locator('a[href="/admin/account"]').isVisible(),
        true,
        'the account is in the menu',
      )
      assert.equal(await header.getByRole('button', { name: 'Sign out' }).isVisible(), true)
      assert.equal(await sidewaysOverflow(page), undefined, 'the open menu fits the screen')
      const [response] = await Promise.all([page.waitForNavigation(), posts.click()])
      assert.equal(response?.status(), 200)
      await page.close()
    }
  })

  await t.test('on a desktop the whole navigation shows on one row, without a Menu button', async () => {
    const page = await open(screen('admin-posts'), DESKTOP)
    const header = page.locator('.admin-header')
    assert.equal(await header.getByText('Menu', { exact: true }).isVisible(), false)
    const links = await visibleBoxes(header.locator('a, button'))
    const labels = links.map((box) => box.label)
    for (const name of [
      'Dashboard',
      'Posts',
      'Pages',
      'Series',
      'Media',
      'Settings',
      'View site',
      'Sign out',
    ])
      assert.ok(
        labels.some((label) => label.startsWith(name)),
        `${name} shows without opening anything`,
      )
    const first = links[0] as Box
    assert.ok(
      links.every((box) => shareARow(first, box)),
      `the header is one row: ${JSON.stringify(links)}`,
    )
    await page.close()
  })

  await t.test('lists keep every column on a phone, and stay tables for screen readers', async () => {
    for (const name of LISTS) {
      const page = await open(screen(name), PHONE)
      const cells = await page.evaluate(() =>
        Array.from(document.querySelectorAll('table td'))
          .filter((cell) => cell.textContent?.trim())
          .map((cell) => {
            const box = cell.getBoundingClientRect()
            return {
              text: cell.textContent?.trim().slice(0, 30),
              left: box.left,
              right: box.right,
              width: box.width,
            }
          }),
      )
      assert.ok(cells.length > 0, `${name} lists something`)
      const hidden = cells.filter((c) => c.width === 0 || c.left < 0 || c.right > PHONE.width)
      assert.deepEqual(hidden, [], `${name}: cells out of sight`)

      // Chromium's own accessibility tree, not the DOM: the stacked rows are still a table.
      const cdp = await page.context().newCDPSession(page)
      const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
        nodes: { ignored: boolean; role?: { value: string } }[]
      }
      const roles = nodes.filter((n) => !n.ignored).map((n) => n.role?.value ?? '')
      for (const role of ['table', 'row', 'columnheader', 'cell'])
        assert.ok(roles.includes(role), `${name}: a screen reader still finds a ${role}`)
      await cdp.detach()
      await page.close()
    }
  })

  await t.test('no Delete shares a row with a form’s main button, on a phone or a desktop', async () => {
    const crowded: string[] = []
    for (const size of [PHONE, DESKTOP]) {
      for (const name of FORMS) {
        const page = await open(screen(name), size)
        const main = page.locator('main')
        const deletes = await visibleBoxes(main.locator('a, button').filter({ hasText: /^\s*Delete/ }))
        const primary = await visibleBoxes(
          main.locator(
            'button[type="submit"]:not(.button-secondary, .button-danger, .button-link), a.button:not(.button-secondary, .button-danger)',
          ),
        )
        if (WITH_DELETE.includes(name)) {
          assert.ok(deletes.length > 0, `${name} has a Delete`)
          assert.ok(primary.length > 0, `${name} has a main button`)
        }
        for (const d of deletes)
          for (const p of primary)
            if (shareARow(d, p)) crowded.push(`${name} at ${size.width} px: “${d.label}” beside “${p.label}”`)
        await page.close()
      }
    }
    assert.deepEqual(crowded, [], `Delete beside a main button:\n${crowded.join('\n')}`)
  })

  await t.test(
    'a refused settings save starts at its list of problems, which links to each field',
    async () => {
      const page = await open(screen('admin-settings-errors'), PHONE, false)
      const summary = page.locator('#error-summary')
      // autofocus is applied at the page's next rendering step, not as it loads: wait for it.
      await page
        .waitForFunction(() => document.activeElement?.id === 'error-summary', null, { timeout: 5000 })
        .catch(() => {})
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'error-summary')
      const links = summary.getByRole('link')
      assert.equal(await links.count(), 2)
      await links.nth(1).click()
      assert.ok(await page.locator('#social_url_0').isVisible())
      assert.match(page.url(), /#social_url_0$/)
      await page.close()
    },
  )
})
