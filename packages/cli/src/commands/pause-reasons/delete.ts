import { catalogCommand, pauseReasons } from '../../catalog-commands.js';

export default catalogCommand(pauseReasons, 'delete');
