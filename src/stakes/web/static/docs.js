// The API reference page: Swagger UI (served by the app from the swagger-ui-bundle package) on our schema.
window.ui = SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
