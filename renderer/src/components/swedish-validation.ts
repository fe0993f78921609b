/**
 * The browser's own form validation speaks the browser's language (English in an English Windows,
 * whatever the app's): every constraint message is set here in Swedish instead, for every form of
 * the app. On `invalid` the field's message is chosen from what is wrong; any edit clears it (a radio
 * button's: its whole group's) so the browser checks again.
 */
export function swedishValidationMessage(el: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement): string {
  const v = el.validity;
  const input = el instanceof HTMLInputElement ? el : null;
  if (v.valueMissing) {
    if (el instanceof HTMLSelectElement) return 'Välj ett alternativ i listan.';
    if (input?.type === 'checkbox') return 'Kryssa i rutan för att fortsätta.';
    if (input?.type === 'radio') return 'Välj ett av alternativen.';
    return 'Fyll i det här fältet.';
  }
  if (v.typeMismatch) return input?.type === 'email' ? 'Skriv en e-postadress, till exempel namn@kommun.se.' : 'Värdet har fel form.';
  if (v.badInput) return input?.type === 'number' ? 'Skriv ett tal.' : 'Värdet går inte att läsa.';
  if (v.rangeUnderflow) return `Värdet får inte vara mindre än ${input?.min ?? ''}.`;
  if (v.rangeOverflow) return `Värdet får inte vara större än ${input?.max ?? ''}.`;
  if (v.stepMismatch) return 'Skriv ett heltal.';
  if (v.tooShort) return `Skriv minst ${(el as HTMLInputElement).minLength} tecken (nu ${el.value.length}).`;
  if (v.tooLong) return `Skriv högst ${(el as HTMLInputElement).maxLength} tecken (nu ${el.value.length}).`;
  if (v.patternMismatch) return el.title ? `Värdet har fel form: ${el.title}` : 'Värdet har fel form.';
  return 'Värdet är inte giltigt.';
}

const isField = (t: EventTarget | null): t is HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement =>
  t instanceof HTMLInputElement || t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement;

/** Installs the Swedish messages on `doc` (capture phase: `invalid` does not bubble). Returns the uninstaller. */
export function installSwedishValidation(doc: Document): () => void {
  const onInvalid = (e: Event) => {
    if (!isField(e.target)) return;
    e.target.setCustomValidity('');
    if (!e.target.validity.valid) e.target.setCustomValidity(swedishValidationMessage(e.target));
  };
  const onEdit = (e: Event) => {
    if (!isField(e.target)) return;
    e.target.setCustomValidity('');
    // A radio group is answered by any one of its buttons: the message set on the others at the
    // last `invalid` goes too, or they would stay invalid and stop the form once more (issue 27).
    if (e.target instanceof HTMLInputElement && e.target.type === 'radio' && e.target.name) {
      const scope: ParentNode = e.target.form ?? e.target.ownerDocument;
      for (const other of scope.querySelectorAll<HTMLInputElement>('input[type="radio"]')) if (other.name === e.target.name) other.setCustomValidity('');
    }
  };
  doc.addEventListener('invalid', onInvalid, true);
  doc.addEventListener('input', onEdit, true);
  doc.addEventListener('change', onEdit, true);
  return () => {
    doc.removeEventListener('invalid', onInvalid, true);
    doc.removeEventListener('input', onEdit, true);
    doc.removeEventListener('change', onEdit, true);
  };
}
