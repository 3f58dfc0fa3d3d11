/** Positional parameters of one statement: every value goes through `add`, never into the text. */
export class SqlParams {
  /** `values` may be a list that earlier parts of the statement already numbered. */
  constructor(readonly values: unknown[] = []) {}

  add(value: unknown, cast?: string): string {
    this.values.push(value);
    return `$${this.values.length}${cast ? `::${cast}` : ''}`;
  }
}
