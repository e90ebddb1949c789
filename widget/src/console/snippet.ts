/**
 * What the admin pastes into the website: a form and the call that posts it to the account's
 * intake endpoint (POST /api/leads, JSON, the site key in X-Api-Key; server/intake/intake-schema.ts
 * lists the fields it takes).
 */
export function websiteSnippet(intakeUrl: string, key: string): string {
  return `<form id="amo-lead-form">
  <input name="name" required placeholder="Name">
  <input name="phone" required placeholder="Phone">
  <input name="email" type="email" placeholder="E-mail">
  <input name="address" placeholder="Delivery address">
  <textarea name="message"></textarea>
  <button>Send</button>
</form>
<script>
document.getElementById('amo-lead-form').addEventListener('submit', function (event) {
  event.preventDefault();
  var lead = {};
  new FormData(event.target).forEach(function (value, name) { if (value) lead[name] = value; });
  fetch(${JSON.stringify(intakeUrl)}, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Api-Key': ${JSON.stringify(key)} },
    body: JSON.stringify(lead)
  }).then(function (res) { if (res.status !== 202) throw new Error('lead not accepted: ' + res.status); });
});
</script>`;
}
