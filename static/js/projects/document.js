/**
 * The team view's document page: the project's label colours, as on the
 * annotation page. The marks themselves are drawn by the server (text as
 * text, through Jinja's autoescaping); colour and underline style come from
 * the classes they carry (static/css/annotate.css), whose --lbl-N custom
 * properties are set here through the CSSOM, which the CSP allows.
 */

const source = document.getElementById("label-colors");
const colors = source ? JSON.parse(source.textContent) : [];
for (const { slot, color } of colors) {
  document.documentElement.style.setProperty(`--lbl-${slot}`, color);
}
