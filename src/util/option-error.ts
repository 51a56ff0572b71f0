// Errors of a library call that name the options at fault by their field paths ("run.resume"), so
// that a front end can show the same error in its own words: the CLI renders each field as its flag.

/** An option named inside an OptionError's message. */
interface OptionField {
  field: string;
}

/** A one-line error whose message names options; `render` words them as a front end names them. */
export class OptionError extends Error {
  constructor(readonly parts: readonly (string | OptionField)[]) {
    super(renderParts(parts, (field) => `option ${field}`));
    this.name = "OptionError";
  }

  /** The message with every option named by `nameOf` (its flag, say). */
  render(nameOf: (field: string) => string): string {
    return renderParts(this.parts, nameOf);
  }
}

const renderParts = (parts: readonly (string | OptionField)[], nameOf: (field: string) => string) =>
  parts.map((p) => (typeof p === "string" ? p : nameOf(p.field))).join("");

/** An option field inside `optionError`'s template: optionError`${option("run.out")} is a file`. */
export const option = (field: string): OptionField => ({ field });

/** Builds an OptionError from a template whose option() values are fields and whose others are text. */
export function optionError(strings: TemplateStringsArray, ...values: unknown[]): OptionError {
  const parts: (string | OptionField)[] = [];
  strings.forEach((s, i) => {
    parts.push(s);
    if (i < values.length) {
      const v = values[i];
      parts.push(typeof v === "object" && v !== null && "field" in v ? (v as OptionField) : String(v));
    }
  });
  return new OptionError(parts);
}
