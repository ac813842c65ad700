"""alignbot's composition root: settings, storage, the Bolt app, the server and the CLI."""
