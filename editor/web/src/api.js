// The REST client (docs/api.md). Every failure is thrown as an Error carrying the API's
// {"error":{"code","message","problems"?}} fields.

const TOKEN_KEY = 'z8.token';

export function token() {
  return localStorage.getItem(TOKEN_KEY);
}

export function setToken(value) {
  if (value) localStorage.setItem(TOKEN_KEY, value);
  else localStorage.removeItem(TOKEN_KEY);
}

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || 'HTTP ' + status);
    this.status = status;
    this.problems = error.problems || [];
  }
}

export async function call(method, path, body) {
  const headers = {};
  const t = token();
  if (t) headers.Authorization = 'Bearer ' + t;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json = null;
  if (text) {
    try {
      json = JSON.parse(text);
    } catch {
      json = null;
    }
  }
  if (!response.ok) {
    if (response.status === 401 && path.startsWith('/api/')) {
      setToken(null);
      window.dispatchEvent(new Event('z8-signed-out'));
    }
    throw new ApiError(response.status, json);
  }
  return json;
}

export const api = {
  register: (username, password) => call('POST', '/auth/register', { username, password }),
  login: (username, password) => call('POST', '/auth/login', { username, password }),
  me: () => call('GET', '/auth/me'),
  nodes: () => call('GET', '/api/v1/nodes'),
  flows: () => call('GET', '/api/v1/flows'),
  flow: (id) => call('GET', '/api/v1/flows/' + encodeURIComponent(id)),
  createFlow: (doc) => call('POST', '/api/v1/flows', doc),
  saveFlow: (doc) => call('PUT', '/api/v1/flows/' + encodeURIComponent(doc.id), doc),
  deleteFlow: (id) => call('DELETE', '/api/v1/flows/' + encodeURIComponent(id)),
  start: (id) => call('POST', '/api/v1/flows/' + encodeURIComponent(id) + '/start'),
  stop: (id) => call('POST', '/api/v1/flows/' + encodeURIComponent(id) + '/stop'),
  validate: (doc) => call('POST', '/api/v1/flows/validate', doc),
  exportFlow: (id) => call('GET', '/api/v1/flows/' + encodeURIComponent(id) + '/export'),
  // unchecked "import ... as disabled": a strict import, refused when a node has no equivalent
  importFlows: (text, disableUnsupported) =>
    call('POST', '/api/v1/flows/import' + (disableUnsupported ? '' : '?strict=true'), text),
  revisions: (id) => call('GET', '/api/v1/flows/' + encodeURIComponent(id) + '/revisions'),
  revision: (id, n) => call('GET', '/api/v1/flows/' + encodeURIComponent(id) + '/revisions/' + n),
  rollback: (id, n) => call('POST', '/api/v1/flows/' + encodeURIComponent(id) + '/rollback/' + n),
  executions: (id) => call('GET', '/api/v1/flows/' + encodeURIComponent(id) + '/executions?limit=50'),
  vault: () => call('GET', '/api/v1/vault'),
  putSecret: (key, value) => call('POST', '/api/v1/vault', { key, value }),
  deleteSecret: (key) => call('DELETE', '/api/v1/vault/' + encodeURIComponent(key)),
};

/** The stored flow document: only the fields PUT and POST accept. */
export function flowDocument(flow) {
  return {
    id: flow.id,
    name: flow.name || '',
    description: flow.description || '',
    nodes: flow.nodes || [],
    wires: flow.wires || [],
    groups: flow.groups || [],
    config_nodes: flow.config_nodes || [],
    subflows: flow.subflows || [],
  };
}
