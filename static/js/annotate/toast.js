/**
 * One message at a time, just under the sticky bar, so it is seen however far
 * the text is scrolled. It sits in a polite live region (announced without
 * interrupting) and goes away on its own or as soon as it is stale: the next
 * change the annotator makes clears it.
 */

const LIFETIME = { info: 5000, warn: 9000 };

export class Toast {
  #timer = null;

  constructor(element) {
    this.element = element;
  }

  /** Show `message` ("" clears); tone "warn" (a refusal) or "info". */
  show(message, tone = "warn") {
    clearTimeout(this.#timer);
    if (!message) {
      this.clear();
      return;
    }
    this.element.textContent = message;
    this.element.dataset.tone = tone;
    this.element.hidden = false;
    this.#timer = setTimeout(() => this.clear(), LIFETIME[tone] ?? LIFETIME.warn);
  }

  clear() {
    clearTimeout(this.#timer);
    this.element.hidden = true;
    this.element.textContent = "";
  }
}
