/** A message as WhatsApp shows it, roughly: header, body, footer, then the buttons. */
export function TemplateBubble({
  header,
  body,
  footer,
  buttons,
}: {
  header: string | null;
  body: string;
  footer: string | null;
  buttons: string[];
}) {
  return (
    <div className="bubble-wrap">
      <div className="bubble" data-testid="message-preview">
        {header && <p className="bubble-header">{header}</p>}
        <p className="bubble-body">{body}</p>
        {footer && <p className="bubble-footer">{footer}</p>}
      </div>
      {buttons.length > 0 && (
        <ul className="bubble-buttons" aria-label="Buttons">
          {buttons.map((b, i) => (
            <li key={i}>{b}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
