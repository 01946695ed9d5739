import { render } from "preact";
import { useState } from "preact/hooks";
import { Api } from "./api/client";
import { App } from "./app";
import { Ctx } from "./context";
import { CognitoAuth } from "./lib/auth";
import { type AppConfig, loadConfig } from "./lib/config";
import "./styles.css";

const root = document.getElementById("app")!;

function Message({ title, text, action }: { title: string; text: string; action?: { label: string; run: () => void } }) {
  return (
    <main class="center" id="main">
      <h1>{title}</h1>
      <p>{text}</p>
      {action && (
        <button type="button" onClick={action.run}>
          {action.label}
        </button>
      )}
    </main>
  );
}

function Root({ config, auth }: { config: AppConfig; auth: CognitoAuth | null }) {
  const [signedIn, setSignedIn] = useState(auth ? auth.signedIn : true);
  const [api] = useState(
    () =>
      new Api({
        base: config.apiUrl,
        token: auth ? () => auth.accessToken() : undefined,
        // An expired session that could not be refreshed: offer sign-in again.
        onUnauthorized: auth ? () => setSignedIn(false) : undefined,
      }),
  );
  if (auth && !signedIn)
    return (
      <Message
        title="LifeStream"
        text="Sign in to see your diary."
        action={{ label: "Sign in", run: () => auth.signIn() }}
      />
    );
  return (
    <Ctx.Provider value={{ api, config }}>
      <App onSignOut={auth ? () => auth.signOut() : null} />
    </Ctx.Provider>
  );
}

async function boot() {
  let config: AppConfig;
  try {
    config = await loadConfig();
  } catch (e) {
    render(<Message title="LifeStream cannot start" text={(e as Error).message} />, root);
    return;
  }
  let auth: CognitoAuth | null = null;
  if (config.auth === "cognito" && config.cognito) {
    auth = new CognitoAuth(config.cognito, {
      fetch: (...a) => fetch(...a),
      storage: sessionStorage,
      navigate: (url) => location.assign(url),
      now: () => Date.now(),
    });
    try {
      if (await auth.completeSignIn(new URL(location.href))) history.replaceState(null, "", "/");
    } catch (e) {
      history.replaceState(null, "", "/");
      render(
        <Message title="Sign-in failed" text={(e as Error).message} action={{ label: "Sign in again", run: () => auth!.signIn() }} />,
        root,
      );
      return;
    }
  }
  render(<Root config={config} auth={auth} />, root);
}

boot();
