/**
 * What every format parser provides. Parsers are pure functions (no I/O, no store): they turn the
 * text of a delivered object, or one line, into events with a timestamp (epoch ms), the message to
 * store and the named fields the format defines.
 *
 * Contract: a parser never drops input. A line or record it cannot parse becomes a raw event with
 * `parseError` set (and the caller's fallback timestamp), and is counted in ParseResult.errors.
 * A whole object's events come as columns (ParsedEvents, parsed-events.ts); ParsedEvent is one of them
 * as an object, for tests and small inputs.
 * Header and comment lines that a format defines (VPC flow log headers, W3C `#Fields:`) are not events.
 */

import type { FieldsReader, ParsedEvents } from './parsed-events.js';

/** Field values as the log wrote them (text), or JSON values for JSON formats. */
export type Fields = Record<string, unknown>;

export interface ParsedEvent {
  /** Event time in epoch milliseconds. */
  timestamp: number;
  /** The text stored as the event's message (the line, or the record as JSON). */
  message: string;
  fields: Fields;
  /** Why the line or record could not be parsed; the event is then the raw text. */
  parseError?: string;
}

export interface ParseOptions {
  /** Timestamp for events whose own time is missing or unparsable (e.g. the object's LastModified). */
  fallbackMs: number;
  /**
   * Field list of formats whose lines do not name their fields (VPC flow logs with a custom format,
   * given as AWS writes it: `${version} ${srcaddr} ...` or `version srcaddr ...`).
   */
  fieldList?: string;
}

export type ParseResult = ParsedEvents;

/**
 * How Logs Insights extracts a line format's fields from @message in SQL: one regular expression,
 * written in the syntax that JavaScript and RE2 (DuckDB's regexp_extract) read alike, whose capture
 * group k+1 is fields[k]. The JavaScript parser uses the very same pattern, so both agree (tested on
 * every fixture line). An empty capture is no value.
 */
export interface LineExtraction {
  pattern: string;
  fields: readonly string[];
}

/** A line format: one event per line, with state for header lines. */
export interface LineFormat {
  kind: 'lines';
  name: string;
  /** AWS's (or the standard's) page the field list comes from. */
  reference: string;
  /** A parser for one object's lines, in order (header lines may change how later lines parse). */
  lineParser(opts: ParseOptions): LineParser;
  /** Whether a sample of lines looks like this format (content sniffing). */
  sniff(lines: readonly string[]): boolean;
  /** The extraction Logs Insights uses for a log group of this format (see docs/formats.md). */
  extraction?(fieldList?: string): LineExtraction | null;
}

/**
 * Reads the lines of one object, in order. It returns numbers and shares its fields reader, rather than
 * an event object per line: nothing it makes per line outlives the call (see parsed-events.ts).
 */
export interface LineParser {
  /**
   * One line, text[from, to) (without its newline; text is the object's text, or the line itself): its
   * event's time in epoch ms (the fallback when the line holds no time it can read), or why it does
   * not parse (a string: the line is kept as a raw event at the fallback time), or null for a header
   * or comment line. A parser that can reads the line in place, without cutting it out.
   */
  time(text: string, from: number, to: number): number | string | null;
  /** The fields of a line `time` read as an event, as the format reads them now (headers change it). */
  read: FieldsReader;
}

/** A document format: a whole delivered object (JSON) holding many records. */
export interface DocumentFormat {
  kind: 'document';
  name: string;
  reference: string;
  parseDocument(text: string, opts: ParseOptions): ParseResult;
  sniff(text: string): boolean;
}

export type Format = LineFormat | DocumentFormat;
