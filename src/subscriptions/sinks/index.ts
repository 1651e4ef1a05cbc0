/** The registry of sinks, one per target kind: a kind without its sink fails to compile. */
import type { TargetKind } from '../../store/subscriptions.js';
import { functionSink } from './function.js';
import { jetstreamSink } from './jetstream.js';
import { objectStoreSink } from './object-store.js';
import { opensearchSink } from './opensearch.js';
import type { SinkSpec } from './types.js';

export const SINKS: Record<TargetKind, SinkSpec> = {
  function: functionSink as unknown as SinkSpec,
  stream: jetstreamSink as unknown as SinkSpec,
  delivery: objectStoreSink as unknown as SinkSpec,
  opensearch: opensearchSink as unknown as SinkSpec,
};
