// Asks before a form marked data-confirm="question" is sent: approving,
// resetting and deleting are one click, and hard to take back. Without
// JavaScript the form is sent as it is.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
