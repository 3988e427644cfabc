import { catalogCommand, skills } from '../../catalog-commands.js';

export default catalogCommand(skills, 'update');
