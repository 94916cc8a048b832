// Opens the editor's publish step as a modal dialog: Publish… (or Reschedule…) asks "now or at a time", and the choice submits the editor's form.
// Without this file the same buttons reach the same choice as a step on the page (the server shows it open).
;(() => {
  const dialog = document.getElementById('publish-dialog')
  const form = document.getElementById('post-form')
  if (!dialog || !form || typeof dialog.showModal !== 'function') return
  const opener = document.getElementById('publish-button')
  const confirm = document.getElementById('confirm-publish')
  const cancel = document.getElementById('publish-cancel')
  const time = document.getElementById('published_at')
  const radios = Array.from(dialog.querySelectorAll('input[name="publish_when"]'))
  const chosen = () => radios.find((radio) => radio.checked)

  /** The time only counts "at a time": with "Now" it is switched off, and the button says what it will do. */
  function follow() {
    const when = chosen()?.value
    if (time) time.disabled = when === 'now'
    const label = when === 'now' ? confirm?.dataset.labelNow : confirm?.dataset.labelLater
    if (confirm && when && label) confirm.textContent = label
  }

  function open() {
    // The heading names the post by the title as it is typed now.
    const title = document.getElementById('title')?.value.trim()
    const named = dialog.querySelector('[data-post-title]')
    if (named && title) named.textContent = title
    // A draft starts from "Now", a scheduled post from its time.
    if (!chosen()) {
      const start = radios.find((radio) => radio.value === dialog.dataset.start) ?? radios[0]
      if (start) start.checked = true
    }
    follow()
    // Shown open by the server (a refused choice): open it again as a modal, focus and all.
    if (dialog.open) dialog.close()
    dialog.showModal()
    const invalid = dialog.querySelector('input[aria-invalid="true"]')
    ;(invalid ?? chosen() ?? radios[0])?.focus()
  }

  opener?.addEventListener('click', (event) => {
    event.preventDefault()
    open()
  })
  for (const radio of radios) radio.addEventListener('change', follow)
  if (cancel) {
    cancel.hidden = false
    cancel.addEventListener('click', () => dialog.close())
  }
  // Esc closes it too. Closed, the time goes back into the form so Save keeps it.
  dialog.addEventListener('close', () => {
    if (time) time.disabled = false
    opener?.focus()
  })
  // Enter in the dialog confirms the choice (the form's first button, Enter's usual target, is Save).
  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter' || !(event.target instanceof HTMLInputElement)) return
    event.preventDefault()
    form.requestSubmit(confirm ?? undefined)
  })

  if (dialog.open) open()
})()
