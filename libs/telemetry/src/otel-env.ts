/**
 * The standard OTEL_* variables, read in one place. The exporter itself reads the rest of them
 * (protocol, headers, timeouts, batch sizes) when it is built from the environment.
 */
export interface OtelEnv {
  /** Spans leave the process only when an OTLP endpoint is configured and export is not turned off. */
  exportTraces: boolean;
  /** OTEL_SERVICE_NAME overrides the service's own name (the spec gives it precedence). */
  serviceName: string;
  serviceVersion: string;
}

export function readOtelEnv(service: string, version: string, env: NodeJS.ProcessEnv = process.env): OtelEnv {
  const endpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() || env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '').split(',').map((s) => s.trim());
  const disabled = env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true' || exporters[0] === 'none';
  return {
    exportTraces: Boolean(endpoint) && !disabled,
    serviceName: env.OTEL_SERVICE_NAME?.trim() || service,
    serviceVersion: env.SB_VERSION?.trim() || version,
  };
}
