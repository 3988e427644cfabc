import { catalogCommand, dispositions } from '../../catalog-commands.js';

export default catalogCommand(dispositions, 'update');
