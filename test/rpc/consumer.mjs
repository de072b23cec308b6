// A second Worker in the test pool: it calls superoffice-batch-edge's `BatchTasks` entrypoint over a service
// binding (`env.BATCH`), as a consumer deployed next to it would, and reports what it got back as JSON.
export default {
  async fetch(request, env) {
    const query = await request.json();
    try {
      const result = await env.BATCH.getBatchTasks(query);
      return Response.json({ ok: true, result });
    } catch (error) {
      return Response.json({ ok: false, name: error.name, message: error.message });
    }
  },
};
