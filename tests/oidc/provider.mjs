// A real OpenID Connect provider for mtb's single sign-on tests: panva's certified
// oidc-provider (package.json pins it), on 127.0.0.1, with one confidential test client that
// must use PKCE (S256) and synthetic test users. Started and stopped by
// tests/security/test_oidc.py; never for production.
//
// Environment:
//   PORT                      the port (the issuer is http://127.0.0.1:PORT)
//   CLIENT_ID, CLIENT_SECRET  the test client
//   REDIRECT_URI              the client's one redirect URI (mtb's /oidc/callback)
//   POST_LOGOUT_REDIRECT_URI  where the provider sends the browser after signing out
//   USERS                     JSON: {"name": {claims...}}; synthetic users and their claims
//   ID_TOKEN_CLAIMS           "1": the profile claims (roles) go into the ID token as well,
//                             not only to the userinfo endpoint (as Keycloak's mappers may)
//
//   DEFAULT_USER              who signs in when the request has no login_hint (browser tests)
//
// Sign-in is not interactive: the user is the authorization request's login_hint (a test
// user's name) or DEFAULT_USER, consent is granted at once. Events a test checks are printed to stdout as JSON
// lines: {"event": "end_session.success", ...}.
import { generateKeyPairSync, randomUUID, webcrypto } from 'node:crypto';

// Debian 12's Node.js 18 has Web Crypto only behind a flag; oidc-provider's jose needs it as
// a global (Node.js 20 and later have it): set before the provider's modules load.
if (!globalThis.crypto) globalThis.crypto = webcrypto;
const { default: Provider } = await import('oidc-provider');

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const users = JSON.parse(process.env.USERS || '{}');

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey
  .export({ format: 'jwk' });

function log(event, details = {}) {
  process.stdout.write(`${JSON.stringify({ event, ...details })}\n`);
}

const configuration = {
  clients: [{
    client_id: process.env.CLIENT_ID,
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: [process.env.REDIRECT_URI],
    post_logout_redirect_uris: [process.env.POST_LOGOUT_REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: { keys: [{ ...signingKey, kid: randomUUID(), use: 'sig', alg: 'RS256' }] },
  cookies: { keys: [randomUUID()] },
  pkce: { required: () => true },
  claims: {
    openid: ['sub'],
    profile: ['name', 'preferred_username', 'roles', 'realm_access'],
    email: ['email'],
  },
  conformIdTokenClaims: process.env.ID_TOKEN_CLAIMS !== '1',
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      // a plain form the test submits (the default page loads a web font)
      async logoutSource(ctx, form) {
        ctx.body = `<!DOCTYPE html><html><head><title>Sign out</title></head><body>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
</body></html>`;
      },
    },
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    if (!Object.hasOwn(users, id)) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, ...users[id] };
      },
    };
  },
};

const provider = new Provider(issuer, configuration);

// The non-interactive sign-in: the login_hint names the test user; consent is given at once.
provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(ctx.path);
  if (!match || ctx.method !== 'GET') return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  let result;
  if (details.prompt.name === 'login') {
    const name = details.params.login_hint || process.env.DEFAULT_USER;
    result = Object.hasOwn(users, name)
      ? { login: { accountId: name } }
      : { error: 'access_denied', error_description: 'no such test user' };
  } else {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({
        accountId: details.session.accountId, clientId: details.params.client_id,
      });
    const missing = details.prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    result = { consent: { grantId: await grant.save() } };
  }
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result,
    { mergeWithLastSubmission: true });
  ctx.status = 303;
  ctx.redirect(returnTo);
  return undefined;
});

provider.on('end_session.success', (ctx) => log('end_session.success',
  { client: ctx.oidc.client?.clientId ?? null }));
provider.on('grant.success', (ctx) => log('grant.success',
  { client: ctx.oidc.client?.clientId ?? null }));
provider.on('grant.error', (ctx, error) => log('grant.error',
  { error: error.error, description: error.error_description }));
provider.on('server_error', (ctx, error) => log('server_error', { message: error.message }));

provider.listen(port, '127.0.0.1', () => log('listening', { issuer }));
