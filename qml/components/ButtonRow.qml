// A row of ConsoleButtons that stays one row in any language: short of
// room, its buttons first narrow their padding, then drop their shortcut
// hints, then share what room there is with their labels elided — never a
// button alone on a second row (an English "Undo" did at 1600×900).
import QtQuick

Row {
    id: row
    spacing: 4

    readonly property var buttons: {
        const list = []
        for (let i = 0; i < children.length; ++i)
            if (children[i].visible && typeof children[i].widthAt === "function")
                list.push(children[i])
        return list
    }
    function widthAt(level) {
        let total = Math.max(0, buttons.length - 1) * spacing
        for (let i = 0; i < buttons.length; ++i)
            total += buttons[i].widthAt(level)
        return total
    }
    // For a layout that sizes the row: its natural width in whole pixels
    // (a layout rounds what it gives down, which would already be too
    // little room).
    readonly property real naturalWidth: Math.ceil(widthAt(0))
    // The least dense level at which every button fits; past the densest,
    // each button the same share narrower.
    readonly property int density: widthAt(0) <= width ? 0 : widthAt(1) <= width ? 1 : 2
    readonly property real squeeze: {
        const gaps = Math.max(0, buttons.length - 1) * spacing
        const natural = widthAt(2) - gaps
        return density < 2 || natural <= 0 ? 1 : Math.max(0, Math.min(1, (width - gaps) / natural))
    }

    onButtonsChanged: {
        for (let i = 0; i < buttons.length; ++i) {
            const button = buttons[i]
            button.density = Qt.binding(function() { return row.density })
            button.width = Qt.binding(function() { return button.widthAt(row.density) * row.squeeze })
        }
    }
}
