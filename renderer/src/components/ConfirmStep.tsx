import { useEffect, useRef } from 'react';

/**
 * The second step of a destructive or final act (issue 32: "Släng utkastet", "Fastställ planen",
 * "Avsluta"): what will happen, said in full, with the act and a way back. Focus goes to the way
 * back, so a second press of Enter does not do it.
 */
export function ConfirmStep({ question, yes, no, onYes, onNo }: { question: string; yes: string; no: string; onYes: () => void; onNo: () => void }) {
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div className="confirm-box" role="group" aria-label={question}>
      <p>{question}</p>
      <button type="button" onClick={onYes}>
        {yes}
      </button>{' '}
      <button type="button" className="button-plain" ref={cancel} onClick={onNo}>
        {no}
      </button>
    </div>
  );
}
