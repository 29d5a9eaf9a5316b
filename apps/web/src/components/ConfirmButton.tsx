import { useId, useRef, type ReactNode } from 'react';

/**
 * A button that asks first, in a native modal <dialog> (focus moves into it, Escape cancels, focus
 * returns to the button). For anything a marketer cannot take back: launch, cancel, pause.
 */
export function ConfirmButton({
  label,
  title,
  children,
  confirmLabel = label,
  tone = 'primary',
  disabled = false,
  onConfirm,
}: {
  label: string;
  title: string;
  children: ReactNode;
  confirmLabel?: string;
  tone?: 'primary' | 'danger' | 'plain';
  disabled?: boolean;
  onConfirm: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  return (
    <>
      <button
        type="button"
        className={`button ${tone}`}
        disabled={disabled}
        onClick={() => dialog.current?.showModal()}
      >
        {label}
      </button>
      <dialog ref={dialog} className="confirm" aria-labelledby={titleId}>
        <form
          method="dialog"
          onSubmit={(e) => {
            // React passes a submit up to an enclosing form (a button beside a form's own
            // fields): this dialog's answer is its own business.
            e.stopPropagation();
            // Only the confirm button submits with value "yes"; Cancel and Escape just close.
            const submitter = e.nativeEvent.submitter;
            if (submitter instanceof HTMLButtonElement && submitter.value === 'yes') {
              onConfirm();
            }
          }}
        >
          <h2 id={titleId}>{title}</h2>
          <div className="confirm-body">{children}</div>
          <div className="actions">
            <button type="submit" value="no" className="button plain" autoFocus>
              Keep as is
            </button>
            <button type="submit" value="yes" className={`button ${tone}`}>
              {confirmLabel}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
