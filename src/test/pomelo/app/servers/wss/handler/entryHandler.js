// The wss server answers as a connector does: wss.entryHandler.entry is connector.entryHandler.entry.
module.exports = require('../../connector/handler/entryHandler');
