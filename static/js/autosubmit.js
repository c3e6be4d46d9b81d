/* A select with data-autosubmit sends its form as soon as a choice is made (language, year). */
(function () {
  document.addEventListener("change", (event) => {
    const field = event.target;
    if (field instanceof HTMLSelectElement && "autosubmit" in field.dataset && field.form) field.form.submit();
  });
})();
