/**
 * Where the JSON object in a message starts, computed once when events are sealed (column `json_off`
 * of every segment) so that Logs Insights reads JSON fields without first testing every message:
 * 0 when the whole message is a JSON object, the offset of the first `{` when the message is text
 * followed by a JSON object (`2024-05-01T10:00:00Z abc123 INFO {"user":"x"}`, as Lambda writes), and
 * NULL when there is none. Offsets count characters, as DuckDB's substr does.
 */
export function jsonOffsetSql(message: string): string {
  return (
    `CASE WHEN ltrim(${message}) LIKE '{%' AND json_valid(${message}) THEN 0 ` +
    `WHEN strpos(${message}, '{') > 1 AND json_valid(substr(${message}, strpos(${message}, '{'))) THEN strpos(${message}, '{') - 1 END`
  );
}
