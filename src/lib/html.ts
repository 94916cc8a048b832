// Owns escaping text for HTML and XML, for the few places that build markup outside templates, and the rel of links in others' words.

/** Links in someone else's words carry no endorsement from the author (and open no window.opener). */
export const REMOTE_LINK_REL = 'nofollow ugc noopener'

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Safe in element content and in quoted attributes, in HTML and in XML alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ENTITIES[ch] ?? ch)
}
