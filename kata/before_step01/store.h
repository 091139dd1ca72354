#pragma once

// Nothing yet: in the first step the test comes first.
