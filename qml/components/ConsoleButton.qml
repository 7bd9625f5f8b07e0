// The console's button: flat, dark, with a strong state colour when it is
// checked (on air, selected) and its keyboard shortcut beside the label.
// Tab reaches it (a clicked button does not keep the keyboard); Space or
// Enter on a focused button presses it instead of cutting.
import QtQuick
import QtQuick.Controls.Basic
import Yishiting 1.0

Button {
    id: button
    property color tint: Style.accent
    property string hint: ""
    font.family: Style.family
    font.pixelSize: Style.normal
    focusPolicy: Qt.TabFocus
    implicitHeight: 32
    leftPadding: 12
    rightPadding: 12
    contentItem: Row {
        spacing: 6
        Text {
            text: button.text
            textFormat: Text.PlainText
            font: button.font
            color: button.enabled ? (button.checked ? "white" : Style.text) : Style.muted
            anchors.verticalCenter: parent.verticalCenter
        }
        Text {
            visible: button.hint !== ""
            text: button.hint
            textFormat: Text.PlainText
            font.family: Style.family
            font.pixelSize: Style.small - 1
            color: button.checked ? "#ddffffff" : Style.muted
            anchors.verticalCenter: parent.verticalCenter
        }
    }
    background: Rectangle {
        radius: Style.radius
        color: button.checked ? button.tint
             : button.down ? Qt.lighter(Style.raised, 1.3)
             : button.hovered ? Qt.lighter(Style.raised, 1.15) : Style.raised
        border.width: button.visualFocus ? 2 : 1
        border.color: button.visualFocus ? Style.accent
                    : button.checked ? Qt.lighter(button.tint, 1.2) : Style.line
    }
}
