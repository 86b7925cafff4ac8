// The error summary, per-field messages and status line of a survivor's form (GOV.UK's error
// pattern): one copy for the escrow and together pages.

/**
 * @param {Element} root the page's form container
 * @param {string} summarySelector the error summary (focused on failure)
 * @param {string} statusSelector the status line (role="status")
 */
export function formView(root, summarySelector, statusSelector) {
  const summary = root.querySelector(summarySelector);
  const status = root.querySelector(statusSelector);
  return {
    clear() {
      summary.hidden = true;
      summary.textContent = '';
      status.textContent = '';
      for (const el of root.querySelectorAll('[data-field-error]')) {
        el.hidden = true;
        el.textContent = '';
        el.closest('.field')?.classList.remove('field-error');
      }
    },
    field(name, message) {
      const el = root.querySelector(`[data-field-error="${name}"]`);
      if (!el) return;
      el.textContent = message;
      el.hidden = false;
      el.closest('.field')?.classList.add('field-error');
    },
    fail(message) {
      status.textContent = '';
      summary.textContent = message;
      summary.hidden = false;
      summary.focus();
    },
    busy(message) {
      status.textContent = message;
    },
  };
}
