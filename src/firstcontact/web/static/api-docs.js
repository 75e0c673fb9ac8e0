// Starts Swagger UI on /docs from a file, not an inline script, so the page keeps the
// Content-Security-Policy that every other page has.
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
});
