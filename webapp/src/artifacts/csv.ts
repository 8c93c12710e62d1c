/** What a preview shows of a CSV file: its first rows, and whether the file has more. */
export interface CsvRows {
  rows: string[][];
  more: boolean;
}

/**
 * The first `maxRows` rows of CSV text (RFC 4180: quoted fields may hold the delimiter, quotes doubled and line
 * breaks; CRLF, LF or CR between rows). `complete` is false when the text is the start of a longer file: its last
 * row may be cut in the middle, so it is left out.
 */
export function parseCsv(text: string, maxRows: number, { delimiter = ",", complete = true } = {}): CsvRows {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a byte order mark is not part of the first field
  const endRow = () => {
    row.push(field);
    rows.push(row);
    row = [];
    field = "";
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else quoted = false;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i += 1;
      endRow();
      if (rows.length > maxRows) return { rows: rows.slice(0, maxRows), more: true };
    } else field += c;
    i += 1;
  }
  // The text ends without a line break: a complete file's last row, or a cut one.
  if (complete && (field !== "" || row.length)) endRow();
  if (rows.length > maxRows) return { rows: rows.slice(0, maxRows), more: true };
  return { rows, more: !complete };
}
