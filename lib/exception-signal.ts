/**
 * Where a 5xx problem's exception goes (OpenTelemetry's migration from span events to log records):
 * - `spans`: an `exception` event on the span (the conventions' default, and the plugin's);
 * - `logs`: an `http.server.request.exception` log record, and no span event;
 * - `logs/dup`: both, for the time a pipeline moves from one to the other.
 */
export type ExceptionSignal = 'spans' | 'logs' | 'logs/dup'

/** The environment variable of the semantic conventions that opts instrumentations into exception log records. */
export const EXCEPTION_SIGNAL_ENV = 'OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN'
export const EXCEPTION_SIGNALS: readonly ExceptionSignal[] = Object.freeze(['spans', 'logs', 'logs/dup'])

/**
 * The exception signal an environment variable value asks for. Like the other `OTEL_SEMCONV_*_OPT_IN`
 * variables it is a comma-separated list; `logs/dup` wins over `logs`, anything else means spans.
 */
export function exceptionSignalFromEnv (value: string | undefined): ExceptionSignal {
  if (typeof value !== 'string') return 'spans'
  const tokens = value.split(',').map((token) => token.trim().toLowerCase())
  if (tokens.includes('logs/dup')) return 'logs/dup'
  return tokens.includes('logs') ? 'logs' : 'spans'
}
