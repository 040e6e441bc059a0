import { LAUNCHER_OPERATIONS, LauncherOperation } from '../../../contract/launcher';
import type { LaunchRequestFieldError } from '../../../contract/launch-request';
import { TenantDescriptor, TenantDirectory, findTenant } from '../../../contract/tenant-directory';

/** A launcher event, checked: the operation, the tenant it runs for and its request. */
export type LauncherInvocation =
  | { readonly ok: true; readonly operation: LauncherOperation; readonly tenant: TenantDescriptor; readonly request: unknown }
  | { readonly ok: false; readonly errors: readonly LaunchRequestFieldError[] };

/**
 * Reads the launcher's event ({@link LauncherEvent}, or its JSON text). A bare launch request is
 * accepted only when the platform has a single tenant: with several, the invoker must say which.
 */
export function parseInvocation(event: unknown, directory: TenantDirectory): LauncherInvocation {
  let value = event;
  if (typeof event === 'string') {
    try {
      value = JSON.parse(event);
    } catch {
      return { ok: false, errors: [{ path: 'request', message: 'is not valid JSON' }] };
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, errors: [{ path: 'request', message: 'must be a JSON object' }] };
  }
  const object = value as Record<string, unknown>;
  if (object.operation === undefined && object.tenant === undefined) {
    if (directory.tenants.length === 1) {
      return { ok: true, operation: 'launch', tenant: directory.tenants[0], request: object };
    }
    return { ok: false, errors: [{ path: 'tenant', message: `is required: the platform has ${directory.tenants.length} tenants; ` +
      'send { "operation": "launch", "tenant": "<name>", "request": { … } } (the platform\'s API does)' }] };
  }
  const errors: LaunchRequestFieldError[] = [];
  const operation = object.operation;
  if (!LAUNCHER_OPERATIONS.includes(operation as LauncherOperation)) {
    errors.push({ path: 'operation', message: `must be one of ${LAUNCHER_OPERATIONS.map((name) => `"${name}"`).join(', ')}` });
  }
  const tenant = typeof object.tenant === 'string' ? findTenant(directory, object.tenant) : undefined;
  if (!tenant) {
    errors.push({ path: 'tenant', message: `must name one of the platform's tenants (${directory.tenants.map((entry) => entry.name).join(', ')})` });
  }
  for (const key of Object.keys(object)) {
    if (!['operation', 'tenant', 'request'].includes(key)) {
      errors.push({ path: key, message: 'is not a field of a launcher event; the fields are operation, tenant, request' });
    }
  }
  if (object.request === undefined) {
    errors.push({ path: 'request', message: 'is required' });
  }
  if (errors.length > 0 || !tenant) {
    return { ok: false, errors };
  }
  return { ok: true, operation: operation as LauncherOperation, tenant, request: object.request };
}
