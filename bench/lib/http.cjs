// What every HTTP figure sends: the contacts API path and the bearer headers.

const API = '/api/user/crm/v202506/contacts';
const auth = (token) => ({ authorization: `Bearer ${token}` });
const jsonHeaders = (token) => ({ ...auth(token), 'content-type': 'application/json' });

module.exports = { API, auth, jsonHeaders };
