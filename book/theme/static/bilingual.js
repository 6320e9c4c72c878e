/* Bilingual book: Persian tooltips for sphinx-copybutton's buttons.
 *
 * copybutton.js (loaded before this file) has no Persian messages and falls
 * back to its English ones, which it reads when it adds the buttons after the
 * page has loaded; on Persian pages those English messages are replaced here.
 */
if (document.documentElement.lang === "fa" && typeof messages !== "undefined" && messages.en) {
  Object.assign(messages.en, {
    copy: "کپی",
    copy_to_clipboard: "کپی در حافظه",
    copy_success: "کپی شد!",
    copy_failure: "کپی نشد",
  });
}
