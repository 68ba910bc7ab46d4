// The sign-in form: name and password to POST /api/session; the server's message on
// failure (a wrong password, too many attempts).
import { api, setCsrf } from "./api.js";

export function showLogin(container, onSignedIn) {
  container.innerHTML = `
    <form id="login" class="login" autocomplete="on">
      <h1>SHADE</h1>
      <p class="hint">Shared Awareness and De-confliction</p>
      <label>User <input id="login-name" name="username" autocomplete="username" required /></label>
      <label>Password <input id="login-password" name="password" type="password"
        autocomplete="current-password" required /></label>
      <button id="login-submit" type="submit">Sign in</button>
      <p id="login-error" class="error" role="alert"></p>
    </form>`;
  const form = container.querySelector("#login");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = container.querySelector("#login-error");
    error.textContent = "";
    try {
      const answer = await api("POST", "/api/session", {
        name: container.querySelector("#login-name").value.trim(),
        password: container.querySelector("#login-password").value,
      });
      setCsrf(answer.csrf);
      onSignedIn();
    } catch (failure) {
      error.textContent = failure.message;
    }
  });
}
