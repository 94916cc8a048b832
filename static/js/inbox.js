// Enhances the inbox: a "select all" box on the list, and marking a message read when it is opened.
;(() => {
  // The list: one box that ticks every message on the page (without JavaScript, tick them one by one).
  const table = document.querySelector('.inbox-table')
  const head = table?.querySelector('th.inbox-select')
  if (table && head) {
    const boxes = () => Array.from(table.querySelectorAll('tbody input[name="ids"]'))
    const all = document.createElement('input')
    all.type = 'checkbox'
    all.id = 'select-all'
    const label = document.createElement('label')
    label.htmlFor = 'select-all'
    label.className = 'visually-hidden'
    label.textContent = 'Select every message on this page'
    head.replaceChildren(all, label)
    const sync = () => {
      const list = boxes()
      const ticked = list.filter((box) => box.checked).length
      all.checked = list.length > 0 && ticked === list.length
      all.indeterminate = ticked > 0 && ticked < list.length
    }
    all.addEventListener('change', () => {
      for (const box of boxes()) box.checked = all.checked
    })
    table.addEventListener('change', (event) => {
      if (event.target !== all) sync()
    })
    sync()
  }

  // A message: opening it posts the same "mark as read" form the button sends, CSRF field included.
  // GET never writes, so this explicit POST is what marks it read; the button stays as the fallback.
  const form = document.querySelector('form[data-auto-read]')
  if (form) {
    fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      credentials: 'same-origin',
      redirect: 'manual',
    })
      .then((response) => {
        if (response.type !== 'opaqueredirect' && !response.ok) return
        const note = document.createElement('p')
        note.className = 'muted mark-read'
        note.setAttribute('role', 'status')
        note.textContent = 'Marked as read.'
        form.replaceWith(note)
        // The navigation counts unread messages in the Inbox folder only.
        const badge = form.hasAttribute('data-in-inbox') ? document.querySelector('.admin-nav .badge') : null
        const count = badge?.firstChild
        if (badge && count && count.nodeType === Node.TEXT_NODE) {
          const left = Number(count.textContent) - 1
          if (left > 0) count.textContent = String(left)
          else badge.remove()
        }
      })
      .catch(() => {
        // Offline or refused: the button is still there to press.
      })
  }
})()
