// Owns reading the forms a page offers, so the fuzz posts each route the fields its own form sends.
import type { FastifyInstance } from 'fastify'

/** One named control, or a group sharing a name: radios and submit buttons send one value, checkboxes all. */
export interface HarvestedField {
  readonly name: string
  readonly values: readonly string[]
  readonly many: boolean
}

/** A form as a page offers it: where it posts, and its fields with the values the page filled in. */
export interface HarvestedForm {
  readonly action: string
  readonly multipart: boolean
  readonly fields: readonly HarvestedField[]
  /** Names of `<input type="file">` fields. */
  readonly files: readonly string[]
}

const attr = (tag: string, name: string): string | undefined =>
  new RegExp(`\\s${name}="([^"]*)"`)
    .exec(tag)?.[1]
    ?.replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')

/**
 * The POST forms in a page of our own templates: action, encoding and named controls (inputs,
 * textareas, selects, named submit buttons), with the values the page filled in.
 */
export function formsIn(html: string): HarvestedForm[] {
  const forms: HarvestedForm[] = []
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const open = match[1] ?? ''
    if ((attr(open, 'method') ?? 'get').toLowerCase() !== 'post') continue
    const inner = match[2] ?? ''
    const id = attr(open, 'id')
    // Controls outside the form element that join it with form="id".
    const outside = id
      ? [...html.matchAll(new RegExp(`<(input|textarea|select|button)\\b([^>]*\\sform="${id}"[^>]*)>`, 'g'))]
      : []
    const groups = new Map<string, { values: string[]; many: boolean }>()
    const add = (name: string | undefined, value: string, many = false) => {
      if (!name) return
      const group = groups.get(name) ?? { values: [], many }
      group.values.push(value)
      groups.set(name, group)
    }
    const contentOf = (element: string, name: string | undefined): string =>
      new RegExp(`<${element}\\b[^>]*\\sname="${name}"[^>]*>([\\s\\S]*?)</${element}>`).exec(inner)?.[1] ??
      new RegExp(`<${element}\\b[^>]*\\sname="${name}"[^>]*>([\\s\\S]*?)</${element}>`).exec(html)?.[1] ??
      ''
    const files: string[] = []
    for (const control of [...inner.matchAll(/<(input|textarea|select|button)\b([^>]*)>/g), ...outside]) {
      const element = control[1] ?? ''
      const rest = control[2] ?? ''
      const name = attr(rest, 'name')
      if (element === 'input') {
        const type = (attr(rest, 'type') ?? 'text').toLowerCase()
        if (type === 'file') {
          if (name) files.push(name)
          continue
        }
        add(name, attr(rest, 'value') ?? (type === 'checkbox' ? 'on' : ''), type === 'checkbox')
      } else if (element === 'textarea') {
        add(
          name,
          contentOf('textarea', name).replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'),
        )
      } else if (element === 'select') {
        for (const option of contentOf('select', name).matchAll(/<option\b([^>]*)>([^<]*)/g))
          add(name, attr(option[1] ?? '', 'value') ?? option[2] ?? '')
      } else if (element === 'button' && name) {
        add(name, attr(rest, 'value') ?? '')
      }
    }
    const fields: HarvestedField[] = [...groups].map(([name, g]) => ({
      name,
      values: g.values,
      many: g.many,
    }))
    forms.push({
      action: attr(open, 'action') ?? '',
      multipart: /multipart\/form-data/i.test(attr(open, 'enctype') ?? ''),
      fields,
      files,
    })
  }
  return forms
}

/** Whether a form's action is a concrete URL of the declared route path (`/admin/posts/12` of `/admin/posts/:id`). */
export function actionMatches(action: string, routePath: string): boolean {
  const pattern = routePath
    .split('/')
    .map((segment) =>
      segment.startsWith(':')
        ? '[^/]+'
        : segment === '*'
          ? '.*'
          : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('/')
  return new RegExp(`^${pattern}$`).test(action.split('?')[0] ?? '')
}

/** Every POST form on these pages, fetched with the given cookies. */
export async function harvestForms(
  app: FastifyInstance,
  urls: readonly string[],
  cookies: Record<string, string> = {},
): Promise<HarvestedForm[]> {
  const forms: HarvestedForm[] = []
  for (const url of urls) {
    const res = await app.inject({ url, cookies, headers: { accept: 'text/html' } })
    if (/^text\/html/.test(String(res.headers['content-type']))) forms.push(...formsIn(res.body))
  }
  return forms
}

/**
 * The form that posts to this route, the one with most fields if several do; for a route no form
 * posts to (a script's endpoint such as the editor's preview), the fields of the forms posting
 * next to it, so its handler still gets the names it reads.
 */
export function formFor(routePath: string, forms: readonly HarvestedForm[]): HarvestedForm | undefined {
  const byFields = (a: HarvestedForm, b: HarvestedForm) => b.fields.length - a.fields.length
  const exact = forms.filter((f) => actionMatches(f.action, routePath)).sort(byFields)[0]
  if (exact) return exact
  const parent = routePath.split('/').slice(0, -1).join('/')
  return forms.filter((f) => f.action === parent || f.action.startsWith(`${parent}/`)).sort(byFields)[0]
}
