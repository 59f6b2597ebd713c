# Writes examples/flowers.csv, the README's CSV recipe table: 600 flowers of three named species, two measurements
# (every 50th f2 left empty, as exported tables have gaps), a colour as text and the species as text.
# Run from the repository root: python3 examples/flowers.py
import random

random.seed(3)
species = ['setosa', 'versicolor', 'virginica']
with open('examples/flowers.csv', 'w') as f, open('examples/flowers-new.csv', 'w') as g:
    f.write('petal_length,petal_width,colour,species\n')
    g.write('colour,petal_width,petal_length\n')
    for i in range(600):
        k = random.randrange(3)
        colour = ['white', 'blue', 'purple'][k if random.random() < 0.8 else random.randrange(3)]
        length, width = 1.5 + 2 * k + random.gauss(0, 0.6), 0.3 + 0.8 * k + random.gauss(0, 0.3)
        width_text = '' if i % 50 == 7 else f'{width:.2f}'
        f.write(f'{length:.2f},{width_text},{colour},{species[k]}\n')
    g.write('white,0.25,1.4\npurple,1.9,5.6\npink,1.1,3.5\n')
