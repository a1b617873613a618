// A real OpenID provider (the certified oidc-provider package) for the single sign-on tests,
// served on loopback. Installed by scripts/ensure-oidc-provider.sh into build/oidc-provider;
// started and stopped by tests/oidc/harness.py.
//
// Environment: OIDC_PORT (where to listen), OIDC_PORTAL_URL (the portal whose redirect URIs the
// clients allow), OIDC_USERS (the users' JSON file, read again at every sign-in, so that a test
// can change a user's e-mail address), OIDC_MODULES (the node_modules holding oidc-provider).
//
// Clients: "portal" (the portal); "portal-slow", whose ID tokens live 1 second and whose token
// responses arrive 2.5 seconds late (an expired ID token); "other-app", another relying party
// (an ID token for another audience). Sign-in: a plain login form (no external resources, no
// scripts); the consent of these first-party clients is implied.
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const modules = process.env.OIDC_MODULES
  || path.join(here, '..', '..', 'build', 'oidc-provider', 'node_modules');
const { default: Provider } = await import(
  pathToFileURL(path.join(modules, 'oidc-provider', 'lib', 'index.js')).href);

const port = Number(process.env.OIDC_PORT);
const portal = (process.env.OIDC_PORTAL_URL || '').replace(/\/$/, '');
const usersFile = process.env.OIDC_USERS || path.join(here, 'users.json');
if (!port || !portal) {
  console.error('OIDC_PORT and OIDC_PORTAL_URL are required');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const SLOW_CLIENT = 'portal-slow';

function users() {
  return JSON.parse(readFileSync(usersFile, 'utf8'));
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>`
    + `</head><body><main><h1>${escape(title)}</h1>${body}</main></body></html>`;
}

function client(clientId, secret) {
  return {
    client_id: clientId,
    client_secret: secret,
    redirect_uris: [`${portal}/login/sso/callback`],
    post_logout_redirect_uris: [`${portal}/login`],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  };
}

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'test-signing-key', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients: [
    client('portal', 'portal-test-secret'),
    client(SLOW_CLIENT, 'portal-slow-test-secret'),
    client('other-app', 'other-app-test-secret'),
  ],
  jwks: { keys: [signingKey] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name'],
    groups: ['groups'],
  },
  pkce: { required: () => true },
  ttl: { IdToken: (ctx, token, c) => (c.clientId === SLOW_CLIENT ? 1 : 3600) },
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      logoutSource: async (ctx, form) => {
        ctx.body = page('Sign out of the test provider',
          `${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>`);
      },
      postLogoutSuccessSource: async (ctx) => {
        ctx.body = page('Signed out', '<p>You are signed out of the test provider.</p>');
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const user = users()[id];
    if (!user) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: user.email,
          email_verified: user.email_verified !== false,
          name: user.name,
          groups: user.groups || [],
        };
      },
    };
  },
  // first-party clients: everything they ask for is granted without a consent page
  async loadExistingGrant(ctx) {
    const grantId = ctx.oidc.result?.consent?.grantId
      || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
    if (grantId) return ctx.oidc.provider.Grant.find(grantId);
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile groups');
    await grant.save();
    return grant;
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Error', `<p id="error">${escape(out.error)}: ${escape(out.error_description || '')}</p>`);
  },
});

provider.use(async (ctx, next) => {
  await next();
  if (ctx.oidc?.route === 'token' && ctx.oidc.client?.clientId === SLOW_CLIENT) {
    await new Promise((resolve) => { setTimeout(resolve, 2500); });
  }
});

function loginForm(uid, message = '') {
  const error = message ? `<p id="error" role="alert">${escape(message)}</p>` : '';
  return page('Sign in to the Department', `${error}
<form method="post" action="/interaction/${uid}/login">
  <label for="username">Username</label> <input id="username" name="username" autocomplete="username">
  <label for="password">Password</label> <input id="password" name="password" type="password">
  <button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${uid}/abort"><button type="submit">Cancel</button></form>`);
}

async function body(req) {
  let data = '';
  for await (const chunk of req) data += chunk;
  return new URLSearchParams(data);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  if (action === 'abort') {
    await provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'The user cancelled the sign-in.',
    }, { mergeWithLastSubmission: false });
    return;
  }
  if (details.prompt.name !== 'login') {  // consent is implied (loadExistingGrant)
    await provider.interactionFinished(req, res, { consent: {} }, { mergeWithLastSubmission: true });
    return;
  }
  if (req.method === 'POST' && action === 'login') {
    const form = await body(req);
    const user = users()[form.get('username')];
    if (user && user.password === form.get('password')) {
      await provider.interactionFinished(req, res, {
        login: { accountId: form.get('username') },
      }, { mergeWithLastSubmission: false });
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(loginForm(uid, 'Unknown user or wrong password.'));
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(loginForm(uid));
}

const handle = provider.callback();
const server = http.createServer((req, res) => {
  const match = /^\/interaction\/([^/?]+)(?:\/(login|abort))?(?:\?.*)?$/.exec(req.url);
  if (!match) {
    handle(req, res);
    return;
  }
  interaction(req, res, match[1], match[2]).catch((error) => {
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`interaction failed: ${error.message}`);
  });
});
server.listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => { server.close(); process.exit(0); });
}
